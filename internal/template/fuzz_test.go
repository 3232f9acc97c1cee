package template

import (
	"encoding/json"
	"os"
	"testing"
)

// FuzzParse checks that no input makes the loader, discovery or the JSON rendering panic;
// malformed input must come back as an error, and a template that loads renders as valid JSON.
func FuzzParse(f *testing.F) {
	for _, p := range []string{"testdata/nested/root.yaml"} {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("Resources: {A: {Type: AWS::Serverless::Function, Properties: {PackageType: !Ref P}}}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		tpl, err := Parse("f.yaml", data)
		if err != nil {
			return
		}
		if out, err := ToJSON("f.yaml", data); err == nil && !json.Valid(out) {
			t.Fatalf("ToJSON() is not JSON:\n%s", out)
		}
		tr, err := Discover(tpl, map[string]string{"P": "Image"}, "us-east-1")
		if err != nil {
			return
		}
		for _, fn := range tr.Functions() {
			tr.ResolveKey(fn.FullPath)
		}
		tpl.Parameters()
	})
}
