package lambda

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// ErrNoFunction is wrapped by the errors of SetImage and PublishAlias for a function that
// does not exist (any more).
var ErrNoFunction = errors.New("the function does not exist")

// Updated is what SetImage left in $LATEST: the code's hash (the image's digest, hex) and
// the revision, which PublishAlias publishes only if they are still $LATEST's.
type Updated struct {
	CodeSha256, RevisionID string
	// Took is how long Lambda took, waiting for another update included.
	Took time.Duration
}

// SetImage points function name's $LATEST at image ("<registry>/<repository>@sha256:…") and
// waits until Lambda reports the update done (LastUpdateStatus Successful). A Failed update
// is an error carrying Lambda's reason. An update of the function still in progress (someone
// else's, or its creation) makes Lambda refuse with ResourceConflictException: SetImage
// tries again, backing off as c.Wait says, until c.Wait.Limit has passed.
func (c *Client) SetImage(ctx context.Context, name, image string) (Updated, error) {
	w := c.Wait.start()
	var (
		out          *awslambda.UpdateFunctionCodeOutput
		err, lastErr error
	)
	for {
		out, err = c.api.UpdateFunctionCode(ctx, &awslambda.UpdateFunctionCodeInput{FunctionName: aws.String(name), ImageUri: aws.String(image)})
		if !isConflict(err) {
			break
		}
		lastErr = err
		if err := w.sleep(ctx); errors.Is(err, errGaveUp) {
			return Updated{}, fmt.Errorf("update function %s: another update is still in progress after %v: %w", name, c.Wait.Limit, lastErr)
		} else if err != nil {
			return Updated{}, fmt.Errorf("update function %s: %w", name, err)
		}
	}
	if isNotFound(err) {
		return Updated{}, fmt.Errorf("update function %s: %w", name, ErrNoFunction)
	}
	if err != nil {
		return Updated{}, fmt.Errorf("update function %s: %w", name, err)
	}
	status, reason, code := out.LastUpdateStatus, aws.ToString(out.LastUpdateStatusReason), out.LastUpdateStatusReasonCode
	u := Updated{CodeSha256: aws.ToString(out.CodeSha256), RevisionID: aws.ToString(out.RevisionId)}
	w.restart()
	for status != types.LastUpdateStatusSuccessful && status != types.LastUpdateStatusFailed {
		if err := w.sleep(ctx); errors.Is(err, errGaveUp) {
			return Updated{}, fmt.Errorf("wait for function %s: its update is still %s after %v", name, status, c.Wait.Limit)
		} else if err != nil {
			return Updated{}, fmt.Errorf("wait for function %s: %w", name, err)
		}
		conf, err := c.api.GetFunctionConfiguration(ctx, &awslambda.GetFunctionConfigurationInput{FunctionName: aws.String(name)})
		if isNotFound(err) {
			return Updated{}, fmt.Errorf("wait for function %s: %w", name, ErrNoFunction)
		}
		if err != nil {
			return Updated{}, fmt.Errorf("wait for function %s: %w", name, err)
		}
		status, reason, code = conf.LastUpdateStatus, aws.ToString(conf.LastUpdateStatusReason), conf.LastUpdateStatusReasonCode
		u = Updated{CodeSha256: aws.ToString(conf.CodeSha256), RevisionID: aws.ToString(conf.RevisionId)}
	}
	u.Took = w.waited()
	if status == types.LastUpdateStatusFailed {
		return Updated{}, &UpdateFailedError{Function: name, Reason: oneLine(reason), Code: string(code)}
	}
	return u, nil
}

// UpdateFailedError is Lambda's answer that an update of a function's code failed
// (LastUpdateStatus Failed), e.g. Code ImageAccessDenied.
type UpdateFailedError struct {
	Function, Reason, Code string
}

// Error says "update function NAME: REASON".
func (e *UpdateFailedError) Error() string {
	reason := e.Reason
	if reason == "" {
		reason = "Lambda reports the update Failed"
	}
	if e.Code != "" && !strings.Contains(reason, e.Code) {
		reason += " (" + e.Code + ")"
	}
	return "update function " + e.Function + ": " + reason
}

// oneLine joins a multi-line reason into one line.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func isConflict(err error) bool {
	var c *types.ResourceConflictException
	return errors.As(err, &c)
}
