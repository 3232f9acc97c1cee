package samconfig

import (
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

var fuzzKey = regexp.MustCompile(`^[a-z][a-z0-9_]{0,30}$`)

// FuzzEdit sets one deploy parameter in a config file and reads it back: the file holds the
// value written, every other setting reads as before, and every line that does not name the
// key is still there, in order.
func FuzzEdit(f *testing.F) {
	for _, name := range []string{"commented.toml", "commented.yaml", "sam-guided-first.toml"} {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		ext := name[strings.LastIndexByte(name, '.'):]
		f.Add(ext, string(b), "stack_name", "new-app")
		f.Add(ext, string(b), "parameter_overrides", `Stage="prod" Msg="say \"hi\""`)
		f.Add(ext, string(b), "s3_prefix", "a\\b'c\u00e9\t#not a comment")
		f.Add(ext, string(b), "new_key", "")
	}
	f.Add(".toml", "", "region", "eu-west-1")
	f.Add(".yaml", "version: 0.1\n", "region", "line\nbreak")
	f.Fuzz(func(t *testing.T, ext, src, key, value string) {
		if !fuzzKey.MatchString(key) || (ext != ".toml" && ext != ".yaml") {
			return
		}
		path := "samconfig" + ext
		before, err := Parse(path, []byte(src))
		if err != nil {
			return // Write refuses a file it cannot read
		}
		if _, ok := before.Params("default", "global")[key]; ok {
			return // a value equal to the global one is removed instead: another rule
		}
		var ed editor = tomlEditor{}
		if ext == ".yaml" {
			ed = yamlEditor{}
		}
		p := Param{Key: key, Value: value}
		out, err := apply(ed, path, []byte(src), "default", "deploy", []Param{p}, nil)
		if err != nil {
			return // refused, with nothing written: fine, as long as it never writes a wrong file
		}
		after, err := Parse(path, out)
		if err != nil {
			t.Fatalf("the edited file does not parse: %v\n%s", err, out)
		}
		got, ok := after.Params("default", "deploy")[key]
		if p.removes() {
			if ok {
				t.Fatalf("%s = %v, want it removed", key, got)
			}
		} else if got != value {
			t.Fatalf("%s reads back %q, want %q\n%s", key, got, value, out)
		}
		if !reflect.DeepEqual(without(before.doc, key), without(after.doc, key)) {
			t.Fatalf("other settings changed:\nbefore %v\nafter  %v\n%s", without(before.doc, key), without(after.doc, key), out)
		}
		kept := strings.Split(string(out), "\n")
		for _, line := range strings.Split(src, "\n") {
			if strings.Contains(line, key) || strings.TrimSpace(line) == "" {
				continue
			}
			i := indexOf(kept, line)
			if i < 0 {
				t.Fatalf("line %q of the file is gone or out of order:\n%s", line, out)
			}
			kept = kept[i+1:]
		}
	})
}

// without is doc with default.deploy.parameters.key removed and empty tables pruned (the edit
// may make the tables it sets the key in).
func without(doc map[string]any, key string) map[string]any {
	return prune(doc, []string{"default", "deploy", "parameters", key})
}

func prune(m map[string]any, drop []string) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		if len(drop) == 1 && k == drop[0] {
			continue
		}
		if sub, ok := v.(map[string]any); ok {
			var next []string
			if len(drop) > 1 && k == drop[0] {
				next = drop[1:]
			}
			if sub = prune(sub, next); len(sub) == 0 {
				continue
			}
			v = sub
		}
		out[k] = v
	}
	return out
}

func indexOf(lines []string, line string) int {
	for i, l := range lines {
		if l == line {
			return i
		}
	}
	return -1
}
