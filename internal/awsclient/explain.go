package awsclient

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/aws/smithy-go"
)

// Explain rewrites an error whose cause is an unreachable endpoint into
// "<what was being done>: cannot reach AWS at <scheme://host>: <cause>"; other errors are
// returned unchanged.
func Explain(err error) error {
	var ue *url.Error
	var oe *smithy.OperationError
	if err == nil || !errors.As(err, &ue) || !errors.As(err, &oe) {
		return err
	}
	msg := err.Error()
	prefix := ""
	if i := strings.Index(msg, oe.Error()); i > 0 {
		prefix = strings.TrimSuffix(msg[:i], ": ") + ": "
	}
	endpoint := ue.URL
	if u, perr := url.Parse(ue.URL); perr == nil {
		endpoint = u.Scheme + "://" + u.Host
	}
	cause := ue.Err
	var op *net.OpError
	if errors.As(cause, &op) && op.Err != nil {
		cause = op.Err
	}
	return fmt.Errorf("%scannot reach AWS at %s: %v", prefix, endpoint, cause)
}
