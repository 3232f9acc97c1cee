package awsclient

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/aws/smithy-go"
)

// Explain rewrites an AWS error for a person: the operation and resource samship's own
// wrapping names, then AWS's message and its code ("create stack app: Template format error:
// ... (ValidationError)"), without the SDK's chain and request id; an unreachable endpoint as
// "<what was being done>: cannot reach AWS at <scheme://host>: <cause>". With debug the error
// is kept whole. Other errors are returned unchanged.
func Explain(err error, debug bool) error {
	var oe *smithy.OperationError
	if err == nil || debug || !errors.As(err, &oe) {
		return err
	}
	msg := err.Error()
	prefix := oe.Service() + " " + oe.Operation() + ": "
	if i := strings.Index(msg, oe.Error()); i > 0 {
		prefix = strings.TrimSuffix(msg[:i], ": ") + ": "
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		endpoint := ue.URL
		if u, perr := url.Parse(ue.URL); perr == nil {
			endpoint = u.Scheme + "://" + u.Host
		}
		cause := ue.Err
		var op *net.OpError
		if errors.As(cause, &op) && op.Err != nil {
			cause = op.Err
		}
		return wrapped{fmt.Sprintf("%scannot reach AWS at %s: %v", prefix, endpoint, cause), err}
	}
	var ae smithy.APIError
	if errors.As(err, &ae) && ae.ErrorMessage() != "" {
		if ae.ErrorMessage() == ae.ErrorCode() {
			return wrapped{prefix + ae.ErrorMessage(), err}
		}
		return wrapped{fmt.Sprintf("%s%s (%s)", prefix, ae.ErrorMessage(), ae.ErrorCode()), err}
	}
	return err
}

// wrapped is an error shown as msg that still matches what it explains (errors.Is, As).
type wrapped struct {
	msg string
	err error
}

func (w wrapped) Error() string { return w.msg }
func (w wrapped) Unwrap() error { return w.err }
