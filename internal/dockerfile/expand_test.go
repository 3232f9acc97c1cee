package dockerfile

import (
	"io/fs"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func mustParse(t *testing.T, src string) *File {
	t.Helper()
	f, err := Parse("Dockerfile", strings.NewReader(src))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return f
}

func TestExpand(t *testing.T) {
	env := map[string]string{"A": "a", "EMPTY": "", "SP": "x y"}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	tests := []struct {
		name   string
		escape string // directive line, "" for the default
		in     string
		want   string
	}{
		{"plain", "", "plain", "plain"},
		{"dollar", "", "$A/b", "a/b"},
		{"braces", "", "${A}b", "ab"},
		{"unset is empty", "", "x${NOPE}y", "xy"},
		{"default when unset", "", "${NOPE:-def}", "def"},
		{"default when empty", "", "${EMPTY:-def}", "def"},
		{"dash default keeps empty", "", "${EMPTY-def}", ""},
		{"alternative when set", "", "${A:+alt}", "alt"},
		{"alternative when unset", "", "${NOPE:+alt}", ""},
		{"double quotes removed, spaces kept", "", `"${SP} z"`, "x y z"},
		{"single quotes do not expand", "", `'$A'`, "$A"},
		{"escaped dollar", "", `\$A`, "$A"},
		{"backtick escape", "# escape=`\n", "`$A", "$A"},
		{"backslash literal under backtick escape", "# escape=`\n", `c:\$A`, `c:\a`},
		{"quoted maintainer round trip", "", Quote(`Jane "J" O'Doe $HOME`), `Jane "J" O'Doe $HOME`},
		{"quoted under backtick escape", "# escape=`\n", Quote("it's `x`"), "it's `x`"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := mustParse(t, tt.escape+"FROM a\n")
			got, err := f.Expand(tt.in, lookup)
			if err != nil {
				t.Fatalf("Expand(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("Expand(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestExpandErrors(t *testing.T) {
	f := mustParse(t, "FROM a\n")
	for _, in := range []string{"${A", "${NOPE:?must be set}"} {
		if got, err := f.Expand(in, nil); err == nil {
			t.Errorf("Expand(%q) = %q, nil error; want an error", in, got)
		} else if !strings.HasPrefix(err.Error(), "expand ") {
			t.Errorf("Expand(%q) error = %q, want it to start with \"expand \"", in, err)
		}
	}
}

func TestExpandFrom(t *testing.T) {
	f := mustParse(t, `ARG REGISTRY=public.ecr.aws
ARG RUNTIME=python:3.12
ARG IMAGE=${REGISTRY}/lambda/${RUNTIME}
ARG UNDECLARED_DEFAULT
FROM ${IMAGE} AS base
FROM --platform=$BUILDPLATFORM golang:1.26-$TARGETARCH AS cross
FROM base
FROM ${NOT_AN_ARG:-scratch}-${TARGETOS}-${TARGETVARIANT:-none}
FROM ${UNDECLARED_DEFAULT:-x}
`)
	tests := []struct {
		name      string
		stage     int
		buildArgs map[string]string
		platform  string
		want      string
	}{
		{"defaults chain", 0, nil, "linux/amd64", "public.ecr.aws/lambda/python:3.12"},
		{"build arg overrides a default used by a later default", 0, map[string]string{"RUNTIME": "nodejs:22"}, "linux/amd64", "public.ecr.aws/lambda/nodejs:22"},
		{"build arg overrides the whole image", 0, map[string]string{"IMAGE": "my/img"}, "linux/amd64", "my/img"},
		{"TARGETARCH", 1, nil, "linux/arm64", "golang:1.26-arm64"},
		{"stage name is left alone", 2, nil, "linux/arm64", "base"},
		{"undeclared build arg is not seen", 3, map[string]string{"NOT_AN_ARG": "x"}, "linux/arm/v7", "scratch-linux-v7"},
		{"declared without default takes the build arg", 4, map[string]string{"UNDECLARED_DEFAULT": "y"}, "linux/amd64", "y"},
		{"build arg overrides a platform arg", 1, map[string]string{"TARGETARCH": "riscv64"}, "linux/arm64", "golang:1.26-riscv64"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := f.ExpandFrom(f.Stages[tt.stage], tt.buildArgs, tt.platform)
			if err != nil {
				t.Fatalf("ExpandFrom: %v", err)
			}
			if got != tt.want {
				t.Errorf("ExpandFrom(stage %d, %v, %s) = %q, want %q", tt.stage, tt.buildArgs, tt.platform, got, tt.want)
			}
		})
	}
	plat, err := f.ExpandPlatform(f.Stages[1], nil, "linux/arm64")
	if err != nil || plat != "linux/arm64" {
		t.Errorf("ExpandPlatform(cross) = %q, %v, want linux/arm64, nil", plat, err)
	}
}

func TestExpandFromErrors(t *testing.T) {
	f := mustParse(t, "ARG E\nARG BAD=${X:?needs_X}\nFROM ${E}\n")
	tests := []struct {
		name      string
		buildArgs map[string]string
		platform  string
		want      string
	}{
		{"bad platform", map[string]string{"BAD": "ok"}, "arm64", `parse platform "arm64": want os/arch[/variant], like linux/arm64`},
		{"meta arg default fails", nil, "linux/amd64", `Dockerfile:2: ARG BAD: expand "${X:?needs_X}": X: needs_X`},
		{"empty image", map[string]string{"BAD": "ok"}, "linux/amd64", "Dockerfile:3: FROM ${E} is empty once expanded"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.ExpandFrom(f.Stages[0], tt.buildArgs, tt.platform)
			if err == nil || err.Error() != tt.want {
				t.Errorf("ExpandFrom() error = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestTargetAndStageByName(t *testing.T) {
	f := mustParse(t, "FROM a AS Build\nFROM b\nFROM c AS final\n")
	tests := []struct {
		name    string
		target  string
		want    int
		wantErr string
	}{
		{"default is the last stage", "", 2, ""},
		{"by name", "build", 0, ""},
		{"case-insensitive", "FINAL", 2, ""},
		{"unknown", "test", 0, `find target stage "test": Dockerfile has no FROM ... AS test`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := f.Target(tt.target)
			gotErr := ""
			if err != nil {
				gotErr = err.Error()
			}
			if got != tt.want || gotErr != tt.wantErr {
				t.Errorf("Target(%q) = %d, %q, want %d, %q", tt.target, got, gotErr, tt.want, tt.wantErr)
			}
		})
	}
	type res struct {
		I  int
		OK bool
	}
	for in, want := range map[string]res{"build": {0, true}, "BUILD": {0, true}, "1": {1, true}, "final": {2, true}, "3": {0, false}, "01": {0, false}, "nope": {0, false}, "-1": {0, false}} {
		i, ok := f.StageByName(in)
		if diff := cmp.Diff(want, res{i, ok}); diff != "" {
			t.Errorf("StageByName(%q) mismatch (-want +got):\n%s", in, diff)
		}
	}
}

func TestParseChmod(t *testing.T) {
	tests := []struct {
		in      string
		want    fs.FileMode
		wantErr bool
	}{
		{"755", 0o755, false},
		{"0644", 0o644, false},
		{"4755", 0o755 | fs.ModeSetuid, false},
		{"u+x", 0, true},
		{"8", 0, true},
		{"17777", 0, true},
		{"", 0, true},
	}
	for _, tt := range tests {
		got, err := ParseChmod(tt.in)
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("ParseChmod(%q) = %v, %v, want %v, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}
