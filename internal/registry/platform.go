package registry

import (
	"fmt"
	"slices"
	"strings"

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

// wrongPlatform is the error for an image that holds no image for the function's
// architecture: holds names what it does hold ("linux/amd64", or several joined by ", "). The
// fix it names is building for the function's platform, or, when the image holds the other
// architecture's, setting Architectures to that.
func wrongPlatform(fullPath, source, holds, arch string) error {
	want := platformString(PlatformOf(arch))
	other := X86_64
	if archOf(arch) == X86_64 {
		other = ARM64
	}
	also := ""
	if slices.Contains(strings.Split(holds, ", "), platformString(PlatformOf(other))) {
		also = " (or set the function's Architectures to [" + other + "])"
	}
	return fmt.Errorf("function %s: image %s holds %s, not the %s that Architectures %s runs: build it with docker build --platform %s%s",
		fullPath, source, holds, want, archOf(arch), want, also)
}
