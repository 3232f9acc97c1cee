package registry

import (
	"fmt"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Lambda's architectures, as a function's Architectures names them.
const (
	X86_64 = "x86_64"
	ARM64  = "arm64"
)

// PlatformOf returns the image platform Lambda runs a function of architecture arch on:
// linux/amd64 for x86_64 (and for "", Lambda's default), linux/arm64 for arm64.
func PlatformOf(arch string) v1.Platform {
	if arch == ARM64 {
		return v1.Platform{OS: "linux", Architecture: "arm64"}
	}
	return v1.Platform{OS: "linux", Architecture: "amd64"}
}

// archOf returns the Lambda architecture arch means ("" is x86_64).
func archOf(arch string) string {
	if arch == "" {
		return X86_64
	}
	return arch
}

// platformString is "os/arch" or "os/arch/variant".
func platformString(p v1.Platform) string {
	s := p.OS + "/" + p.Architecture
	if p.Variant != "" {
		s += "/" + p.Variant
	}
	return s
}

// PlatformError is an image that holds no image for its function's architecture.
type PlatformError struct{ msg string }

func (e *PlatformError) Error() string { return e.msg }

// wrongPlatform is the error for an image that holds no image for the function's
// architecture: holds names what it does hold ("linux/amd64", or several joined by ", ").
func wrongPlatform(fullPath, source, holds, arch string) error {
	want := PlatformOf(arch)
	other := X86_64
	if archOf(arch) == X86_64 {
		other = ARM64
	}
	return &PlatformError{fmt.Sprintf("function %s: image %s holds %s, not the %s that Architectures %s runs: build it with docker build --platform %s (or set the function's Architectures to %s)",
		fullPath, source, holds, platformString(want), archOf(arch), platformString(want), other)}
}
