package awsclient

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/aws/smithy-go"
)

func TestExplain(t *testing.T) {
	refused := &url.Error{Op: "Post", URL: "http://127.0.0.1:9/", Err: &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}}
	op := &smithy.OperationError{ServiceID: "CloudFormation", OperationName: "DescribeStacks", Err: fmt.Errorf("exceeded maximum number of attempts, 3, %w", refused)}
	api := &smithy.OperationError{ServiceID: "CloudFormation", OperationName: "ExecuteChangeSet",
		Err: fmt.Errorf("https response error StatusCode: 400, RequestID: 4f1e, %w", &smithy.GenericAPIError{Code: "ValidationError", Message: "Template error: unresolved resource dependencies [Gone]"})}
	tests := map[string]struct {
		in    error
		debug bool
		want  string
	}{
		"unreachable":         {in: fmt.Errorf("describe stack app: %w", op), want: "describe stack app: cannot reach AWS at http://127.0.0.1:9: connection refused"},
		"AWS's message":       {in: fmt.Errorf("execute change set for stack app: %w", api), want: "execute change set for stack app: Template error: unresolved resource dependencies [Gone] (ValidationError)"},
		"unwrapped operation": {in: api, want: "CloudFormation ExecuteChangeSet: Template error: unresolved resource dependencies [Gone] (ValidationError)"},
		"debug keeps it all":  {in: api, debug: true, want: api.Error()},
		"other":               {in: errors.New("boom"), want: "boom"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got := Explain(tc.in, tc.debug)
			if got.Error() != tc.want || !errors.Is(got, tc.in) {
				t.Errorf("Explain() = %q, want %q (wrapping the original)", got, tc.want)
			}
		})
	}
	if Explain(nil, false) != nil {
		t.Errorf("Explain(nil) != nil")
	}
}

func TestNewNeedsRegion(t *testing.T) {
	env := map[string]string{"AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "y"}
	for _, k := range []string{"AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE"} {
		t.Setenv(k, "")
	}
	t.Setenv("AWS_CONFIG_FILE", "/dev/null")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
	for k, v := range env {
		t.Setenv(k, v)
	}
	if _, err := New(context.Background(), Options{}); !errors.Is(err, ErrNoRegion) {
		t.Errorf("New() without region = %v, want ErrNoRegion", err)
	}
	c, err := New(context.Background(), Options{Region: "eu-west-1"})
	if err != nil || c.Region != "eu-west-1" {
		t.Fatalf("New(eu-west-1) = %v, %v", c, err)
	}
	c.SetAccount("123456789012")
	if a, err := c.Account(context.Background()); a != "123456789012" || err != nil {
		t.Errorf("Account() after SetAccount = %q, %v (must not call STS)", a, err)
	}
	if got := strings.Join(c.Calls.Summary(), ","); got != "" || c.Calls.Total() != 0 {
		t.Errorf("calls = %q, want none", got)
	}
}

// TestRetryAttempts: Lambda calls, throttled when hundreds of functions are read, are tried
// up to 10 times by the adaptive retryer; the other services 3 times. The SDK caps a client's
// retryer at the configuration's RetryMaxAttempts unless the client's own options say
// otherwise: Lambda's 10 were once silently 3, and a throttled GetFunction failed prune.
func TestRetryAttempts(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "AKID")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "SECRET")
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	c, err := New(context.Background(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Lambda.Options().Retryer.MaxAttempts(); got != 10 {
		t.Errorf("Lambda tries %d times, want 10", got)
	}
	if got := c.CloudFormation.Options().Retryer.MaxAttempts(); got != 3 {
		t.Errorf("CloudFormation tries %d times, want 3", got)
	}
}
