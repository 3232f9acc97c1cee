package depinstall

import (
	"regexp"
	"strings"
)

// pipValued are pip install's options that take a value, by every spelling accepted; the
// value names what the option records.
var pipValued = map[string]string{
	"-r": "requirement", "--requirement": "requirement",
	"-c": "constraint", "--constraint": "constraint",
	"-t": "target", "--target": "target",
	"-i": "index", "--index-url": "index",
	"--extra-index-url": "index",
	"-f":                "find-links", "--find-links": "find-links",
	"--trusted-host":     "pass",
	"--root-user-action": "pass",
}

// pipFlags are pip install's options without a value that samship passes on unchanged.
var pipFlags = map[string]bool{
	"--no-cache-dir": true, "-U": true, "--upgrade": true, "-q": true, "-qq": true, "-qqq": true,
	"--quiet": true, "--disable-pip-version-check": true, "--no-deps": true, "--no-compile": true,
}

// pipSpec is a requirement specifier without URL or markers: name, extras, versions.
var pipSpec = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?` +
	`(\[\s*[A-Za-z0-9._-]+(\s*,\s*[A-Za-z0-9._-]+)*\s*\])?` +
	`(\s*(~=|===|==|!=|<=|>=|<|>)\s*[A-Za-z0-9.*+!_-]+(\s*,\s*(~=|===|==|!=|<=|>=|<|>)\s*[A-Za-z0-9.*+!_-]+)*)?$`)

// parsePip reads pip install's options and arguments; false when any is not one samship
// runs exactly.
func (in *Install) parsePip(args []string) bool {
	for i := 0; i < len(args); i++ {
		a := args[i]
		name, value, hasValue := a, "", false
		if strings.HasPrefix(a, "--") {
			name, value, hasValue = strings.Cut(a, "=")
		} else if len(a) > 2 && a[0] == '-' && pipValued[a[:2]] != "" {
			name, value, hasValue = a[:2], a[2:], true
		}
		if kind := pipValued[name]; kind != "" {
			if !hasValue {
				if i+1 >= len(args) {
					return false
				}
				i++
				value = args[i]
			}
			if value == "" {
				return false
			}
			switch kind {
			case "requirement":
				in.requirements = append(in.requirements, value)
			case "constraint":
				in.constraints = append(in.constraints, value)
			case "target":
				if in.target != "" {
					return false
				}
				in.target = value
				continue // Run passes its own --target
			case "index":
				if !isURL(value) {
					return false
				}
			case "find-links":
				if !isURL(value) {
					if strings.Contains(value, "://") {
						return false
					}
					in.findLinks = append(in.findLinks, value)
				}
			}
			in.opts = append(in.opts, name, value)
			continue
		}
		if hasValue || strings.HasPrefix(a, "-") {
			if hasValue || !pipFlags[a] {
				return false
			}
			in.opts = append(in.opts, a)
			continue
		}
		if !pipSpec.MatchString(a) || isArchive(a) {
			return false
		}
		in.opts = append(in.opts, a)
	}
	return len(in.requirements) > 0 || len(in.opts) > 0
}

// isArchive reports whether pip would take a as a local archive file rather than a name.
func isArchive(a string) bool {
	for _, ext := range []string{".whl", ".zip", ".tar.gz", ".tgz", ".tar", ".tar.bz2", ".tbz", ".tar.xz", ".txz", ".tlz", ".tar.lz", ".tar.lzma"} {
		if strings.HasSuffix(strings.ToLower(a), ext) {
			return true
		}
	}
	return false
}

func isURL(s string) bool {
	return strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://")
}

// npmFlags are npm ci/install options without a value that samship passes on unchanged.
var npmFlags = map[string]bool{
	"--omit=dev": true, "--omit=optional": true, "--omit=peer": true,
	"--production": true, "--only=prod": true, "--only=production": true,
	"--no-audit": true, "--no-fund": true, "--no-optional": true, "--ignore-scripts": true,
	"--prefer-offline": true, "--silent": true, "-s": true, "--no-package-lock": true,
}

var npmLogLevels = map[string]bool{
	"silent": true, "error": true, "warn": true, "notice": true, "http": true, "info": true, "verbose": true, "silly": true,
}

// npmPackage is a registry package argument: name or name@version-or-tag.
var npmPackage = regexp.MustCompile(`^(@[a-z0-9][a-z0-9._~-]*/)?[a-z0-9][a-z0-9._~-]*(@[A-Za-z0-9.^~<>=*+_-]+)?$`)

// parseNpm reads npm ci/install's subcommand, options and arguments; false when any is not
// one samship runs exactly.
func (in *Install) parseNpm(args []string) bool {
	switch args[0] {
	case "ci":
		in.subcommand = "ci"
	case "install", "i":
		in.subcommand = "install"
	default:
		return false
	}
	args = args[1:]
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case npmFlags[a]:
			if a == "--no-package-lock" {
				in.noLock = true
			}
			in.opts = append(in.opts, a)
		case a == "--omit" && i+1 < len(args) && npmFlags["--omit="+args[i+1]]:
			i++
			in.opts = append(in.opts, "--omit="+args[i])
		case a == "--loglevel" && i+1 < len(args) && npmLogLevels[args[i+1]]:
			i++
			in.opts = append(in.opts, "--loglevel="+args[i])
		case strings.HasPrefix(a, "--loglevel=") && npmLogLevels[strings.TrimPrefix(a, "--loglevel=")]:
			in.opts = append(in.opts, a)
		case in.subcommand == "install" && npmPackage.MatchString(a):
			in.packages = append(in.packages, a)
			in.opts = append(in.opts, a)
		default:
			return false
		}
	}
	if in.noLock && in.subcommand == "ci" {
		return false // npm ci needs the lockfile it would be told not to use
	}
	return true
}
