package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/pelletier/go-toml/v2"
	"go.yaml.in/yaml/v3"
)

var paramName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9]{0,30}$`)

// FuzzParamFile writes a parameter in each file form --parameter-overrides file:// reads
// (JSON, YAML, TOML, .env) and reads it back: the same name and value. The raw input, read as
// each form, never panics.
func FuzzParamFile(f *testing.F) {
	f.Add("Stage", "prod", `{"Stage": "prod", "List": ["a", "b"]}`)
	f.Add("Msg", `say "hi" # not a comment`, "- ParameterKey: A\n  ParameterValue: b\n")
	f.Add("Empty", "", "A=1\n# c\nB='two words'\n")
	f.Add("Unicode", "caf\u00e9 \u2028 \\n", "[x]\ny = 1\n")
	f.Fuzz(func(t *testing.T, key, value, raw string) {
		dir := t.TempDir()
		for _, ext := range []string{".json", ".yaml", ".toml", ".env"} {
			p := filepath.Join(dir, "raw"+ext)
			if err := os.WriteFile(p, []byte(raw), 0o644); err != nil {
				t.Fatal(err)
			}
			_, _ = readParamFile(p)
		}
		if !paramName.MatchString(key) || !utf8.ValidString(value) {
			return
		}
		forms := map[string]func() ([]byte, error){
			".json": func() ([]byte, error) { return json.Marshal(map[string]string{key: value}) },
			".yaml": func() ([]byte, error) { return yaml.Marshal(map[string]string{key: value}) },
			".toml": func() ([]byte, error) { return toml.Marshal(map[string]string{key: value}) },
		}
		if !strings.ContainsAny(value, "\r\n") {
			forms[".env"] = func() ([]byte, error) { return []byte(key + `="` + value + "\"\n"), nil }
		}
		for ext, write := range forms {
			body, err := write()
			if err != nil {
				continue // the encoder cannot write it; nothing to read back
			}
			p := filepath.Join(dir, "params"+ext)
			if err := os.WriteFile(p, body, 0o644); err != nil {
				t.Fatal(err)
			}
			got, err := readParamFile(p)
			if err != nil || len(got) != 1 || got[0].Key != key || got[0].Value != value {
				t.Errorf("%s %q read back as %v, %v; want %s=%q", ext, body, got, err, key, value)
			}
		}
	})
}
