package output

import (
	"bytes"
	"errors"
	"testing"

	"github.com/samship/samship/internal/deploy"
)

// TestResult: a flow's result document carries its fields after type and status, and the
// error last; a result that is nil still makes a record.
func TestResult(t *testing.T) {
	type res struct {
		StackName string   `json:"stack_name"`
		Deleted   []string `json:"deleted"`
	}
	tests := map[string]struct {
		res  any
		err  error
		want string
	}{
		"success":      {res{"app", []string{"a"}}, nil, `{"type":"result","status":"success","stack_name":"app","deleted":["a"]}`},
		"failure":      {&res{StackName: "app"}, deploy.Usage(errors.New("bad")), `{"type":"result","status":"failure","stack_name":"app","deleted":null,"error":{"type":"UsageError","message":"bad"}}`},
		"no result":    {(*res)(nil), errors.New("boom"), `{"type":"result","status":"failure","error":{"type":"UserException","message":"boom"}}`},
		"empty result": {struct{}{}, nil, `{"type":"result","status":"success"}`},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			var b bytes.Buffer
			msg := ""
			if tc.err != nil {
				msg = tc.err.Error()
			}
			NewDocument(&b).Result(tc.res, tc.err, msg)
			if got := b.String(); got != tc.want+"\n" {
				t.Errorf("Result() wrote\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}
