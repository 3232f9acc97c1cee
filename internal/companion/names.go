// Package companion owns the companion stack: the CloudFormation stack beside an application
// stack that holds one ECR repository per image function. It names things exactly as SAM CLI
// does, builds the companion template, plans what a deploy changes and applies that plan.
package companion

import (
	"crypto/md5"
	"encoding/hex"
	"strings"

	"github.com/samship/samship/internal/imageref"
)

// checksum is SAM CLI's str_checksum: the lower-case hex MD5 of s.
func checksum(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// escape lower-cases s and drops every character outside [a-z0-9], as SAM CLI does for
// repository names.
func escape(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// StackName returns the companion stack name SAM CLI uses for the application stack parent:
// the first 104 characters of parent, the first 8 hex of md5(parent), "-CompanionStack".
func StackName(parent string) string {
	return truncate(parent, 104) + "-" + checksum(parent)[:8] + "-CompanionStack"
}

// Repo names one managed repository: the companion resource of one image function.
type Repo struct {
	// FullPath is the function's full path, e.g. "HelloFunction" or "Child/ImageFn".
	FullPath string
	// LogicalID is the repository's logical id in the companion template.
	LogicalID string
	// OutputID is the logical id of the repository's output.
	OutputID string
	// Name is the repository's physical name (RepositoryName).
	Name string
	// Encryption is how the repository is (or is to be) encrypted.
	Encryption Encryption
}

// NewRepo names the repository of the function at fullPath in the companion stack of parent,
// byte-identical to SAM CLI (slashes are removed before hashing, not replaced).
func NewRepo(parent, fullPath string) Repo {
	f := strings.ReplaceAll(fullPath, "/", "")
	fh := checksum(f)[:8]
	return Repo{
		FullPath:  fullPath,
		LogicalID: truncate(f, 52) + fh + "Repo",
		OutputID:  truncate(f, 52) + fh + "Out",
		Name:      escape(parent) + checksum(parent)[:8] + "/" + escape(f) + fh + "repo",
	}
}

// RegistryHost returns the ECR registry host of account in region; China regions use the
// amazonaws.com.cn domain, as in SAM CLI.
func RegistryHost(account, region string) string {
	return account + ".dkr.ecr." + region + "." + imageref.URLSuffix(region)
}

// URI returns the repository URI of a repository called name.
func URI(account, region, name string) string {
	return RegistryHost(account, region) + "/" + name
}
