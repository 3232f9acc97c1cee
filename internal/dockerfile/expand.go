package dockerfile

import (
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/shell"
)

// funcEnv adapts a lookup function to the shell lexer's environment.
type funcEnv func(string) (string, bool)

func (e funcEnv) Get(k string) (string, bool) {
	if e == nil {
		return "", false
	}
	return e(k)
}

func (funcEnv) Keys() []string { return nil }

// Expand expands $VAR, ${VAR}, ${VAR:-x}, ${VAR:+x} etc. in word as Docker does (using the
// shell lexer with f.Escape, which also removes quotes and escapes), with env looking up
// values; a nil env has no variables.
func (f *File) Expand(word string, env func(string) (string, bool)) (string, error) {
	esc := f.Escape
	if esc == 0 {
		esc = '\\'
	}
	out, _, err := shell.NewLex(esc).ProcessWord(word, funcEnv(env))
	if err != nil {
		// The lexer wraps its cause in "failed to process <word>"; say it once, our way.
		for errors.Unwrap(err) != nil {
			err = errors.Unwrap(err)
		}
		return "", fmt.Errorf("expand %q: %w", word, err)
	}
	return out, nil
}

// Quote returns a word that Expand turns back into s, whatever the escape token: s in single
// quotes, each single quote written as '"'"'. Parse uses it for MAINTAINER, which Docker does
// not expand.
func Quote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'"'"'`) + "'"
}

// GlobalArgs is the environment a FROM line is expanded in: the predefined platform ARGs
// (BUILDPLATFORM, BUILDOS, BUILDARCH, BUILDVARIANT, TARGETPLATFORM, TARGETOS, TARGETARCH,
// TARGETVARIANT) from targetPlatform ("linux/arm64"), then the meta ARGs in order, each
// default expanded with what comes before it and replaced by buildArgs[name] when set. As in
// Docker, a build arg overrides a predefined ARG but is otherwise only seen when an ARG before
// the first FROM declares it. samship builds with no engine, so the build platform is the
// target platform (this keeps builds the same on every host).
func (f *File) GlobalArgs(buildArgs map[string]string, targetPlatform string) (map[string]string, error) {
	osName, arch, variant, err := splitPlatform(targetPlatform)
	if err != nil {
		return nil, err
	}
	env := map[string]string{}
	for _, p := range []string{"BUILD", "TARGET"} {
		env[p+"PLATFORM"] = targetPlatform
		env[p+"OS"] = osName
		env[p+"ARCH"] = arch
		env[p+"VARIANT"] = variant
	}
	for k := range env {
		if v, ok := buildArgs[k]; ok {
			env[k] = v
		}
	}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	for _, a := range f.MetaArgs {
		if v, ok := buildArgs[a.Name]; ok {
			env[a.Name] = v
			continue
		}
		if a.Default == nil {
			continue
		}
		v, err := f.Expand(*a.Default, lookup)
		if err != nil {
			return nil, fmt.Errorf("%s: ARG %s: %w", a.Where(), a.Name, err)
		}
		env[a.Name] = v
	}
	return env, nil
}

// splitPlatform splits "os/arch[/variant]".
func splitPlatform(p string) (osName, arch, variant string, err error) {
	parts := strings.Split(p, "/")
	if len(parts) < 2 || len(parts) > 3 || parts[0] == "" || parts[1] == "" {
		return "", "", "", fmt.Errorf("parse platform %q: want os/arch[/variant], like linux/arm64", p)
	}
	if len(parts) == 3 {
		variant = parts[2]
	}
	return parts[0], parts[1], variant, nil
}

// ExpandFrom resolves a stage's FROM with GlobalArgs(buildArgs, targetPlatform): the meta
// ARGs, their defaults overridden by buildArgs (SAM's DockerBuildArgs), and the platform ARGs
// Docker predefines. The result may name an earlier stage (see StageByName).
func (f *File) ExpandFrom(s Stage, buildArgs map[string]string, targetPlatform string) (image string, err error) {
	env, err := f.GlobalArgs(buildArgs, targetPlatform)
	if err != nil {
		return "", err
	}
	image, err = f.Expand(s.From, mapEnv(env))
	if err != nil {
		return "", fmt.Errorf("%s:%d: FROM: %w", f.Path, s.Line, err)
	}
	if image == "" {
		return "", fmt.Errorf("%s:%d: FROM %s is empty once expanded", f.Path, s.Line, s.From)
	}
	return image, nil
}

// ExpandPlatform resolves a stage's --platform as ExpandFrom resolves FROM; it is
// targetPlatform when the stage has no --platform.
func (f *File) ExpandPlatform(s Stage, buildArgs map[string]string, targetPlatform string) (string, error) {
	if s.Platform == "" {
		return targetPlatform, nil
	}
	env, err := f.GlobalArgs(buildArgs, targetPlatform)
	if err != nil {
		return "", err
	}
	p, err := f.Expand(s.Platform, mapEnv(env))
	if err != nil {
		return "", fmt.Errorf("%s:%d: FROM --platform: %w", f.Path, s.Line, err)
	}
	if _, _, _, err := splitPlatform(p); err != nil {
		return "", fmt.Errorf("%s:%d: FROM --platform=%s: %w", f.Path, s.Line, s.Platform, err)
	}
	return p, nil
}

func mapEnv(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

// StageByName finds a stage by its AS name (case-insensitive) or, as COPY --from allows, by
// its index ("0").
func (f *File) StageByName(name string) (int, bool) {
	lower := strings.ToLower(name)
	for i, s := range f.Stages {
		if s.Name != "" && s.Name == lower {
			return i, true
		}
	}
	if i, err := strconv.Atoi(name); err == nil && i >= 0 && i < len(f.Stages) && strconv.Itoa(i) == name {
		return i, true
	}
	return 0, false
}

// Target returns the index of the stage to build for DockerBuildTarget name ("" means the last
// stage); it fails naming the target when no stage has that name.
func (f *File) Target(name string) (int, error) {
	if name == "" {
		return len(f.Stages) - 1, nil
	}
	lower := strings.ToLower(name)
	for i, s := range f.Stages {
		if s.Name == lower {
			return i, nil
		}
	}
	return 0, fmt.Errorf("find target stage %q: %s has no FROM ... AS %s", name, f.Path, lower)
}

// ParseChmod reads an expanded --chmod value: octal digits only ("755", "0644").
func ParseChmod(s string) (fs.FileMode, error) {
	if s == "" {
		return 0, fmt.Errorf("parse --chmod: empty")
	}
	n, err := strconv.ParseUint(s, 8, 32)
	if err != nil || n > 0o7777 {
		return 0, fmt.Errorf("parse --chmod=%s: want octal permission bits like 755", s)
	}
	m := fs.FileMode(n & 0o777)
	if n&0o4000 != 0 {
		m |= fs.ModeSetuid
	}
	if n&0o2000 != 0 {
		m |= fs.ModeSetgid
	}
	if n&0o1000 != 0 {
		m |= fs.ModeSticky
	}
	return m, nil
}
