package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/samship/samship/internal/deploy"
)

func TestParseOverrides(t *testing.T) {
	tests := map[string]struct {
		in      []string
		want    []deploy.KV
		wantErr string
	}{
		"simple":           {[]string{"A=1", "B=2"}, []deploy.KV{kv("A", "1"), kv("B", "2")}, ""},
		"one string":       {[]string{`Stage="dev x" Other=y`}, []deploy.KV{kv("Stage", "dev x"), kv("Other", "y")}, ""},
		"samconfig escape": {[]string{`Msg="say \"hi\""`}, []deploy.KV{kv("Msg", `say "hi"`)}, ""},
		"long form":        {[]string{"ParameterKey=A,ParameterValue=x,y"}, []deploy.KV{kv("A", "x,y")}, ""},
		"empty value":      {[]string{"A="}, []deploy.KV{kv("A", "")}, ""},
		"later wins":       {[]string{"A=1 A=2"}, []deploy.KV{kv("A", "2")}, ""},
		"no equals":        {[]string{"A"}, nil, `invalid --parameter-overrides "A"`},
		"unclosed":         {[]string{`A="x`}, nil, "unclosed \" quote"},
		"long form broken": {[]string{"ParameterKey=A"}, nil, `invalid --parameter-overrides "ParameterKey=A"`},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := parseOverrides(tc.in)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Errorf("parseOverrides(%q) error = %v, want %q", tc.in, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("parseOverrides(%q) = %v", tc.in, err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("parseOverrides(%q) mismatch (-want +got):\n%s", tc.in, diff)
			}
		})
	}
}

func TestParseTags(t *testing.T) {
	got, err := parseTags("--tags", []string{"team=core", `owner="a b" cost=1`})
	want := []deploy.KV{kv("team", "core"), kv("owner", "a b"), kv("cost", "1")}
	if err != nil || !cmp.Equal(want, got) {
		t.Errorf("parseTags() = %v, %v, want %v", got, err, want)
	}
	if _, err := parseTags("--tags", []string{"novalue"}); err == nil {
		t.Errorf("parseTags(novalue) = nil error")
	}
}

func TestParseImageRepos(t *testing.T) {
	got, err := parseImageRepos([]string{"Fn=123456789012.dkr.ecr.us-east-1.amazonaws.com/r"})
	if err != nil || got["Fn"] != "123456789012.dkr.ecr.us-east-1.amazonaws.com/r" {
		t.Errorf("parseImageRepos() = %v, %v", got, err)
	}
	for _, bad := range []string{"Fn", "Fn=a=b", "=x"} {
		if _, err := parseImageRepos([]string{bad}); err == nil || !strings.Contains(err.Error(), "function_logical_id=ECR_URI") {
			t.Errorf("parseImageRepos(%q) error = %v", bad, err)
		}
	}
}

func TestParseMetadata(t *testing.T) {
	tests := map[string]struct {
		in   string
		want map[string]string
		bad  bool
	}{
		"none":         {in: "", want: nil},
		"pairs":        {in: "team=core,env=dev", want: map[string]string{"team": "core", "env": "dev"}},
		"empty value":  {in: "team=", want: map[string]string{"team": ""}},
		"json":         {in: `{"team": "core", "n": 1, "ok": true}`, want: map[string]string{"team": "core", "n": "1", "ok": "true"}},
		"nested json":  {in: `{"team": {"a": "b"}}`, bad: true},
		"json list":    {in: `{"team": ["a"]}`, bad: true},
		"broken json":  {in: `{"team": `, bad: true},
		"no equals":    {in: "team", bad: true},
		"no key":       {in: "=core", bad: true},
		"one bad pair": {in: "a=1,b", bad: true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := parseMetadata(tc.in)
			if tc.bad {
				want := fmt.Sprintf("invalid --metadata %q: it must look something like 'KeyName1=string,KeyName2=string' or '{\"string\":\"string\"}'", tc.in)
				if err == nil || err.Error() != want {
					t.Errorf("parseMetadata(%q) error = %v, want %s", tc.in, err, want)
				}
				return
			}
			if err != nil || !cmp.Equal(tc.want, got) {
				t.Errorf("parseMetadata(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
			}
		})
	}
}

func FuzzSplitWords(f *testing.F) {
	for _, s := range []string{`a="b c" d`, `'x'`, `\"`, `ParameterKey=A,ParameterValue=B`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		words, err := splitWords(s)
		if err != nil {
			return
		}
		for _, w := range words {
			if w == "" && !strings.ContainsAny(s, `"'`) {
				t.Errorf("splitWords(%q) gave an empty word without quotes", s)
			}
		}
		_, _ = parseOverrides([]string{s})
		_, _ = parseTags("--tags", []string{s})
	})
}

func kv(k, v string) deploy.KV { return deploy.KV{Key: k, Value: v} }

func TestParameterFiles(t *testing.T) {
	dir := t.TempDir()
	tests := map[string]struct {
		file, body string
		want       []deploy.KV
		wantErr    string
	}{
		"yaml mapping":       {file: "p.yaml", body: "Stage: prod\nSubnets: [a, b]\nEmpty: null\nCount: 3\n", want: []deploy.KV{kv("Stage", "prod"), kv("Subnets", "a,b"), kv("Empty", ""), kv("Count", "3")}},
		"json mapping":       {file: "p.json", body: `{"Stage": "prod", "Flag": true}`, want: []deploy.KV{kv("Stage", "prod"), kv("Flag", "true")}},
		"json as json":       {file: "p.json", body: "{\"Del\": \"a\x7fb\", \"Zones\": [\"a\", 1], \"N\": null}", want: []deploy.KV{kv("Del", "a\x7fb"), kv("Zones", "a,1"), kv("N", "")}},
		"json nested":        {file: "p.json", body: "{\n\"A\": {\"b\": 1}}", wantErr: "p.json:2: a parameter value is a plain value or a list"},
		"json two values":    {file: "p.json", body: "{} {}", wantErr: "p.json:1: want one mapping or list, found more after it"},
		"json broken":        {file: "p.json", body: "{\n\n\"A\" 1}", wantErr: "p.json:3: expected colon after object key"},
		"cfn list":           {file: "p.json", body: `[{"ParameterKey": "Stage", "ParameterValue": "prod"}]`, want: []deploy.KV{kv("Stage", "prod")}},
		"toml":               {file: "p.toml", body: "Stage = \"prod\"\nZones = [\"a\", \"b\"]\n", want: []deploy.KV{kv("Stage", "prod"), kv("Zones", "a,b")}},
		"env":                {file: "p.env", body: "# comment\nStage=prod\nMsg=\"a b\"\n", want: []deploy.KV{kv("Stage", "prod"), kv("Msg", "a b")}},
		"then overridden":    {file: "p.yaml", body: "Stage: prod\n", want: []deploy.KV{kv("Stage", "dev")}},
		"nested value":       {file: "p.yaml", body: "Stage: {a: b}\n", wantErr: "p.yaml:1: a parameter value is a plain value or a list"},
		"not a mapping":      {file: "p.yaml", body: "just text\n", wantErr: "p.yaml:1: want a mapping of parameter names to values"},
		"bad yaml":           {file: "p.yaml", body: "a: [\n", wantErr: "p.yaml:"},
		"bad env line":       {file: "p.env", body: "novalue\n", wantErr: "p.env:1: want KEY=value"},
		"missing":            {file: "", wantErr: "read parameter file " + filepath.Join(dir, "nothere.yaml") + ": no such file or directory"},
		"no extension, yaml": {file: "params", body: "Stage: prod\n", want: []deploy.KV{kv("Stage", "prod")}},
		"no extension, json": {file: "params.txt", body: `{"Stage": "prod"}`, want: []deploy.KV{kv("Stage", "prod")}},
		"shadow-like file":   {file: "shadow", body: "root:$6$secret:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\n", wantErr: "not a parameter file: want a JSON or YAML mapping of parameter names to values (or name it .json, .yaml, .toml or .env); its content is not shown"},
		"hosts-like file":    {file: "hosts", body: "127.0.0.1 secrethost\n", wantErr: "its content is not shown"},
		"broken, unknown":    {file: "conf", body: "secret: [\n", wantErr: "its content is not shown"},
		"too large":          {file: "big.yaml", body: "A: " + strings.Repeat("x", 1<<20) + "\n", wantErr: "larger than 1 MiB, the most samship reads of a parameter file"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, "nothere.yaml")
			if tc.file != "" {
				path = filepath.Join(dir, strings.ReplaceAll(name, " ", "-")+"-"+tc.file)
				if err := os.WriteFile(path, []byte(tc.body), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			in := []string{"file://" + path}
			if name == "then overridden" {
				in = append(in, "Stage=dev")
			}
			got, err := parseOverrides(in)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.HasPrefix(err.Error(), "invalid --parameter-overrides \"file://") {
					t.Errorf("parseOverrides(%s) error = %v, want %q", tc.file, err, tc.wantErr)
				}
				if err != nil && (strings.Contains(err.Error(), "secret") || strings.Contains(err.Error(), "\n")) {
					t.Errorf("parseOverrides(%s) error = %q: it shows the file's content or has more than one line", tc.file, err)
				}
				return
			}
			if err != nil || !cmp.Equal(tc.want, got) {
				t.Errorf("parseOverrides(%s) = %v, %v; want %v", tc.file, got, err, tc.want)
			}
		})
	}
}
