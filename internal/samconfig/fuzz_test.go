package samconfig

import "testing"

// FuzzParse checks that no samconfig input makes the reader panic.
func FuzzParse(f *testing.F) {
	f.Add("samconfig.toml", "version = 0.1\n[default.deploy.parameters]\nstack_name = \"a\"\ncapabilities = [\"CAPABILITY_IAM\"]\n")
	f.Add("samconfig.yaml", "version: 0.1\ndefault:\n  deploy:\n    parameters:\n      resolve_s3: true\n")
	f.Add("samconfig.json", `{"version": 0.1, "default": {"global": {"parameters": {"region": "x"}}}}`)
	f.Add("samconfig.toml", "version = 0.1\ndefault = 3\n")
	f.Fuzz(func(t *testing.T, name, data string) {
		cfg, err := Parse(name, []byte(data))
		if err != nil {
			return
		}
		cfg.Params("default", "deploy")
	})
}
