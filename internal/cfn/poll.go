package cfn

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
)

// Poller decides how long to wait between polls: the first poll comes after First, each
// following one after 1.5 times the previous wait, never more than Cap.
type Poller struct {
	First time.Duration
	Cap   time.Duration
	// Sleep waits d or until ctx ends; tests replace it.
	Sleep func(ctx context.Context, d time.Duration) error
}

// DefaultPoller polls first after 0.25 s and backs off to cap (SAM_CLI_POLL_DELAY, or 5 s).
func DefaultPoller(cap time.Duration) Poller {
	if cap <= 0 {
		cap = 5 * time.Second
	}
	first := 250 * time.Millisecond
	if first > cap {
		first = cap
	}
	return Poller{First: first, Cap: cap, Sleep: SleepContext}
}

// SleepContext sleeps d unless ctx ends first.
func SleepContext(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func (p Poller) first() time.Duration { return p.First }

func (p Poller) next(d time.Duration) time.Duration {
	n := d * 3 / 2
	if n > p.Cap {
		n = p.Cap
	}
	return n
}

// Transient reports an error a wait outlives: throttling, a 5xx answer or a dropped
// connection, by the SDK's own retry rules, once the SDK's retries of that one call are spent.
// The operation waited for goes on in CloudFormation meanwhile.
func Transient(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	if retry.IsErrorThrottles(retry.DefaultThrottles).IsErrorThrottle(err) == aws.TrueTernary {
		return true
	}
	return retry.IsErrorRetryables(retry.DefaultRetryables).IsErrorRetryable(err) == aws.TrueTernary
}

// transient tells, for a poll of a wait that failed with err, whether to poll again: when err
// is transient, it says so (once for a run of them) and the wait goes on, backing off, for as
// long as ctx (--max-wait-duration) allows.
func (c *Client) transient(err error, streak *int) bool {
	if !Transient(err) {
		return false
	}
	if *streak == 0 && c.OnTransient != nil {
		c.OnTransient(err)
	}
	*streak++
	return true
}
