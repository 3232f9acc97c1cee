package registry

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// TestSourceOf is every kind of ImageUri value, and the refusal of each kind that cannot be
// read: one classification for the deploy's early check and for Open.
func TestSourceOf(t *testing.T) {
	dir := t.TempDir()
	for _, d := range []string{"img", filepath.Join("x.io", "fn")} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "img.tar"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	engine := &Engine{Host: "unix:///engine.sock"}
	tests := map[string]struct {
		value, dir string
		engine     *Engine
		want       SourceKind
		wantPath   string // relative to dir
		wantErr    string
	}{
		"layout":                 {value: "img", dir: dir, want: SourceLayout, wantPath: "img"},
		"archive":                {value: "img.tar", dir: dir, want: SourceArchive, wantPath: "img.tar"},
		"absolute path":          {value: filepath.Join(dir, "img.tar"), want: SourceArchive, wantPath: "img.tar"},
		"a file wins":            {value: "x.io/fn", dir: dir, engine: engine, want: SourceLayout, wantPath: filepath.Join("x.io", "fn")},
		"missing path":           {value: "./x.io/fn2", dir: dir, engine: engine, want: SourceMissing, wantErr: "function Fn: image ./x.io/fn2: no such file or directory (a value starting ./, ../ or / is a path, relative to the template)"},
		"registry":               {value: "public.ecr.aws/lambda/python:3.12", dir: dir, engine: engine, want: SourceRegistry},
		"engine":                 {value: "fn:latest", dir: dir, engine: engine, want: SourceEngine},
		"nowhere":                {value: "fn:latest", dir: dir, want: SourceNowhere, wantErr: "function Fn: image fn:latest is neither a file nor a directory next to the template, nor an image in a registry, and no Docker or Podman engine is reachable (set DOCKER_HOST)"},
		"special":                {value: "/dev/null", dir: dir, want: SourceSpecial, wantErr: "function Fn: image /dev/null is neither a regular file nor a directory"},
		"relative without a dir": {value: "img", want: SourceNowhere, wantErr: "function Fn: image img is neither a file nor a directory next to the template, nor an image in a registry, and no Docker or Podman engine is reachable (set DOCKER_HOST)"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if tc.want == SourceSpecial && runtime.GOOS == "windows" {
				t.Skip("no /dev/null")
			}
			got := SourceOf(tc.value, tc.dir, tc.engine)
			wantPath := ""
			switch {
			case tc.wantPath != "":
				wantPath = filepath.Join(dir, tc.wantPath)
			case tc.want == SourceSpecial:
				wantPath = tc.value
			}
			if got.Kind != tc.want || got.Value != tc.value || got.Path != wantPath {
				t.Errorf("SourceOf(%q) = %v %q %q, want %v %q %q", tc.value, got.Kind, got.Value, got.Path, tc.want, tc.value, wantPath)
			}
			err := got.Err("Fn")
			if gotErr := errText(err); gotErr != tc.wantErr {
				t.Errorf("SourceOf(%q).Err() = %q, want %q", tc.value, gotErr, tc.wantErr)
			}
			if tc.wantErr == "" {
				return
			}
			// Open refuses it with the same words.
			o := &Opener{Dir: tc.dir, Engine: tc.engine, Scratch: NewScratch(t.TempDir())}
			if _, err := o.Open(t.Context(), tc.value, "Fn", ""); errText(err) != tc.wantErr {
				t.Errorf("Open(%q) = %v, want %q", tc.value, err, tc.wantErr)
			}
		})
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
