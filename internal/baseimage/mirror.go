package baseimage

import (
	"fmt"
	"net"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
)

// mirror is where images of one registry host are fetched from instead.
type mirror struct {
	host     string // host[:port] of the mirror
	prefix   string // repository path prefix on the mirror, without slashes at either end
	insecure bool   // plain HTTP: an http:// mirror, or one on a loopback address
}

// parseMirror reads a mirror setting: "127.0.0.1:5000", "127.0.0.1:5000/prefix",
// "http://127.0.0.1:5000/prefix" or "https://mirror.example.com/prefix".
func parseMirror(s string) (mirror, error) {
	var m mirror
	scheme := ""
	if i := strings.Index(s, "://"); i >= 0 {
		scheme, s = s[:i], s[i+3:]
		if scheme != "http" && scheme != "https" {
			return mirror{}, fmt.Errorf("scheme %q is not http or https", scheme)
		}
	}
	m.host, m.prefix, _ = strings.Cut(strings.TrimRight(s, "/"), "/")
	m.prefix = strings.Trim(m.prefix, "/")
	if m.host == "" {
		return mirror{}, fmt.Errorf("no host")
	}
	if _, err := name.NewRegistry(m.host, name.StrictValidation); err != nil {
		return mirror{}, fmt.Errorf("host %q: %w", m.host, err)
	}
	m.insecure = scheme == "http" || scheme == "" && loopback(m.host)
	return m, nil
}

// loopback reports whether host[:port] names this machine.
func loopback(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

// registryKeys are the names a mirror setting may give ref's registry under: its host as
// go-containerregistry spells it, and for Docker Hub also "docker.io".
func registryKeys(ref name.Reference) []string {
	host := ref.Context().RegistryStr()
	if host == name.DefaultRegistry {
		return []string{host, "docker.io", "registry-1.docker.io"}
	}
	return []string{host}
}

// source returns the reference to fetch ref from, and the name of the registry or mirror that
// is: ref itself, or ref's repository path under the prefix of the mirror of ref's registry.
func source(ref name.Reference, mirrors map[string]mirror) (name.Reference, string, error) {
	var m mirror
	found := false
	for _, k := range registryKeys(ref) {
		if m, found = mirrors[k]; found {
			break
		}
	}
	if !found {
		return ref, ref.Context().RegistryStr(), nil
	}
	repo := ref.Context().RepositoryStr()
	if m.prefix != "" {
		repo = m.prefix + "/" + repo
	}
	var opts []name.Option
	if m.insecure {
		opts = append(opts, name.Insecure)
	}
	r, err := name.NewRepository(m.host+"/"+repo, opts...)
	if err != nil {
		return nil, "", fmt.Errorf("mirror %s: %w", m.host, err)
	}
	var out name.Reference
	switch ref := ref.(type) {
	case name.Digest:
		out = r.Digest(ref.DigestStr())
	case name.Tag:
		out = r.Tag(ref.TagStr())
	default:
		return nil, "", fmt.Errorf("reference %s is neither a tag nor a digest", ref)
	}
	from := m.host
	if m.prefix != "" {
		from += "/" + m.prefix
	}
	return out, from, nil
}
