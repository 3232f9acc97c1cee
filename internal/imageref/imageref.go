// Package imageref classifies container image references: SAM CLI's ECR-URI test, the stricter
// repository-URI validation samship applies to user input, whether a reference names an image
// in a registry or one that only exists locally, and how one splits. It also holds what
// samship knows of AWS's naming: ECR registry hosts, AWS::URLSuffix and the partition.
package imageref

import (
	"regexp"
	"strings"
)

const (
	host = `(?:[a-zA-Z0-9][\w-]*\.dkr\.ecr\.[a-zA-Z0-9][\w-]*\.amazonaws\.com(?:\.cn)?|(?:localhost|127\.0\.0\.1)(?::\d{1,5})?)`
	path = `(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*`
)

var (
	samECR  = regexp.MustCompile(`^` + host + `/` + path)
	repoURI = regexp.MustCompile(`^` + host + `/` + path + `$`)
)

// IsSAMECR reports whether s passes SAM CLI's is_ecr_url test. Like SAM it only requires a
// prefix to match, so "repo:tag" and "repo@digest" count; it is used wherever samship must
// decide exactly as SAM does (which functions get a managed repository).
func IsSAMECR(s string) bool { return samECR.MatchString(s) }

// IsRepositoryURI reports whether s is an ECR repository URI with nothing after the repository
// name: the form --image-repository and --image-repositories values must have.
func IsRepositoryURI(s string) bool { return repoURI.MatchString(s) }

// IsRegistryReference reports whether s names an image in a registry (its first path
// component is a host: it contains a dot or a colon, or is "localhost") rather than an image
// that only exists in a local engine, such as "hellofunction:python3.12-v1" left by sam build.
func IsRegistryReference(s string) bool {
	i := strings.IndexByte(s, '/')
	if i <= 0 || strings.ContainsAny(s, " \t\n") || IsPath(s) {
		return false
	}
	first := s[:i]
	return strings.ContainsAny(first, ".:") || first == "localhost"
}

// IsPath reports whether s can only be a file path: it starts with "./", "../" or "/" (or
// their Windows forms), or is "." or "..". Such a value is never looked up in a registry or
// an engine: "./x" has no registry host "." however it is spelt.
func IsPath(s string) bool {
	if s == "." || s == ".." {
		return true
	}
	for _, p := range []string{"./", "../", "/", `.\`, `..\`, `\`} {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// Split splits an image reference into the repository (without the registry host), the tag
// and the digest ("sha256:…"), either of the last two empty when absent. "repo@sha256:…"
// keeps "repo" as the repository, and a port in the host is not taken for a tag.
func Split(ref string) (repo, tag, digest string) {
	if at := strings.IndexByte(ref, '@'); at >= 0 {
		ref, digest = ref[:at], ref[at+1:]
	}
	if slash := strings.IndexByte(ref, '/'); slash >= 0 {
		if host := ref[:slash]; strings.ContainsAny(host, ".:") || host == "localhost" {
			ref = ref[slash+1:]
		}
	}
	if colon := strings.LastIndexByte(ref, ':'); colon >= 0 {
		ref, tag = ref[:colon], ref[colon+1:]
	}
	return ref, tag, digest
}
