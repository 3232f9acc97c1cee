package cfn

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
)

// Poller decides how long to wait between polls: the first poll comes after First, the
// following ones every Every, never more than Cap (SAM_CLI_POLL_DELAY); a poll that was
// throttled or failed doubles the wait, up to the larger of Cap and 5 s, and the next answered
// poll returns to Every. At the default of every 0.5 s a wait notices that CloudFormation is
// done within 0.5 s, at 2 requests a second for each stack waited on.
type Poller struct {
	First time.Duration
	Every time.Duration // Cap when 0
	Cap   time.Duration
	// Sleep waits d or until ctx ends; tests replace it.
	Sleep func(ctx context.Context, d time.Duration) error
}

// DefaultPoller polls first after 0.25 s, then every 0.5 s, never slower than cap
// (SAM_CLI_POLL_DELAY, or 5 s) unless throttled.
func DefaultPoller(cap time.Duration) Poller {
	if cap <= 0 {
		cap = 5 * time.Second
	}
	return Poller{First: min(250*time.Millisecond, cap), Every: min(500*time.Millisecond, cap), Cap: cap, Sleep: SleepContext}
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

// Interval is the wait between polls when CloudFormation answers.
func (p Poller) Interval() time.Duration { return p.every() }

func (p Poller) every() time.Duration {
	if p.Every <= 0 || p.Every > p.Cap && p.Cap > 0 {
		return p.Cap
	}
	return p.Every
}

// waiter is one wait's schedule of polls.
type waiter struct {
	p     Poller
	next  time.Duration // the wait before the next poll
	last  time.Duration // the wait before the last poll
	polls int
}

func (p Poller) wait() *waiter { return &waiter{p: p, next: p.First} }

// sleep waits until the next poll is due.
func (w *waiter) sleep(ctx context.Context) error {
	w.last = w.next
	w.next = w.p.every()
	w.polls++
	return w.p.Sleep(ctx, w.last)
}

// failed backs the next poll off after one that was throttled or failed.
func (w *waiter) failed() {
	ceiling := max(w.p.Cap, 5*time.Second)
	w.next = min(max(2*w.last, w.p.every()), ceiling)
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
