package template

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/samship/samship/internal/testenv/golden"
)

// TestToJSON renders templates as SAM CLI's --use-json does and compares them with golden
// files (go test -run TestToJSON -update rewrites them).
func TestToJSON(t *testing.T) {
	ins, _ := filepath.Glob("testdata/json/*.yaml")
	if len(ins) == 0 {
		t.Fatal("no inputs")
	}
	for _, in := range ins {
		t.Run(filepath.Base(in), func(t *testing.T) {
			data, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			got, err := ToJSON(in, data)
			if err != nil {
				t.Fatal(err)
			}
			if !json.Valid(got) {
				t.Fatalf("ToJSON() is not JSON:\n%s", got)
			}
			golden.Check(t, strings.TrimSuffix(in, ".yaml")+".json", got)
		})
	}
}

func TestPythonFloat(t *testing.T) {
	for _, tc := range []struct {
		in   float64
		want string
	}{{1, "1.0"}, {2.5, "2.5"}, {0, "0.0"}, {1e-5, "1e-05"}, {1e16, "1e+16"}, {123456789.125, "123456789.125"}, {0.0001, "0.0001"}} {
		if got := pythonFloat(tc.in); got != tc.want {
			t.Errorf("pythonFloat(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestToJSONRefusesAliasBombs(t *testing.T) {
	bomb := "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
	for c := 'b'; c <= 'j'; c++ {
		p := string(c - 1)
		bomb += fmt.Sprintf("%c: &%c [*%s, *%s, *%s, *%s, *%s, *%s, *%s, *%s, *%s, *%s]\n", c, c, p, p, p, p, p, p, p, p, p, p)
	}
	bomb += "Resources: {}\n"
	_, err := ToJSON("bomb.yaml", []byte(bomb))
	if err == nil || !strings.Contains(err.Error(), "aliases expand the template too far") {
		t.Errorf("ToJSON(alias bomb) error = %v", err)
	}
	out, err := ToJSON("ok.yaml", []byte("a: &a [1, 2]\nb: *a\n"))
	if err != nil || !strings.Contains(string(out), `"b": [`) {
		t.Errorf("ToJSON(one alias) = %s, %v", out, err)
	}
}
