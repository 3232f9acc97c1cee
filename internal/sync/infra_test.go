package sync

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/samship/samship/internal/cfn"
)

type deployedStack struct {
	st   *cfn.Stack
	err  error
	body string
}

func (d deployedStack) Describe(context.Context, string) (*cfn.Stack, error) { return d.st, d.err }
func (d deployedStack) Template(context.Context, string) (string, error)     { return d.body, nil }

func TestInfraChange(t *testing.T) {
	const deployed = "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      ImageUri: repo:v1\n      Timeout: 3\n"
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	code := write("code.yaml", "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      ImageUri: Fn\n      Timeout: 3\n")
	infra := write("infra.yaml", "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      ImageUri: Fn\n      Timeout: 5\n")
	done := &cfn.Stack{Status: "UPDATE_COMPLETE", Values: map[string]string{"Stage": "dev"}}
	cases := map[string]struct {
		d         deployedStack
		path      string
		overrides map[string]string
		want      string
	}{
		"only code changed":                 {d: deployedStack{st: done, body: deployed}, path: code, want: ""},
		"a parameter the stack lacks":       {d: deployedStack{st: done, body: deployed}, path: code, overrides: map[string]string{"New": "x"}, want: ""},
		"the same parameter":                {d: deployedStack{st: done, body: deployed}, path: code, overrides: map[string]string{"Stage": "dev"}, want: ""},
		"the template changed":              {d: deployedStack{st: done, body: deployed}, path: infra, want: "the template changed"},
		"a parameter changed":               {d: deployedStack{st: done, body: deployed}, path: code, overrides: map[string]string{"Stage": "prod"}, want: "parameter Stage changed"},
		"no stack yet":                      {d: deployedStack{err: &cfn.StackNotFoundError{Name: "app"}}, path: code, want: "stack app does not exist yet"},
		"a failed stack":                    {d: deployedStack{st: &cfn.Stack{Status: "UPDATE_ROLLBACK_COMPLETE"}, body: deployed}, path: code, want: "stack app is UPDATE_ROLLBACK_COMPLETE"},
		"a failed look: the deploy decides": {d: deployedStack{err: errors.New("describe stack app: throttled")}, path: code, want: "describe stack app: throttled"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			if got := InfraChange(context.Background(), c.d, "app", c.path, c.overrides); got != c.want {
				t.Errorf("InfraChange() = %q, want %q", got, c.want)
			}
		})
	}
}
