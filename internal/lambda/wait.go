package lambda

import (
	"context"
	"errors"
	"time"
)

// errGaveUp is waiter.sleep's answer once Waiting.Limit has passed.
var errGaveUp = errors.New("gave up waiting")

// Waiting paces SetImage: the first poll (or retry of a refused update) comes after First,
// each following one after twice the last, never more than Quick while less than Steady has
// passed (an image update usually takes a few seconds: a poll every Quick learns its end
// within Quick), then never more than Cap; it gives up once Limit has passed since the update
// was asked for.
type Waiting struct {
	First, Quick, Steady, Cap, Limit time.Duration
	// Now reads the clock and Sleep waits d or until ctx ends; tests replace both.
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
}

// DefaultWaiting polls first after 100 ms, then every 250 ms for 30 s, then once a second, and
// gives up after 10 minutes: an image update usually takes seconds (a sync waits for it, and
// `make bench` found a one-second cap costing half a second of each), a large image's first
// optimisation a few minutes.
func DefaultWaiting() Waiting {
	return Waiting{First: 100 * time.Millisecond, Quick: 250 * time.Millisecond, Steady: 30 * time.Second, Cap: time.Second,
		Limit: 10 * time.Minute, Now: time.Now, Sleep: sleepContext}
}

// sleepContext sleeps d unless ctx ends first.
func sleepContext(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// waiter is one SetImage's schedule.
type waiter struct {
	w     Waiting
	began time.Time
	next  time.Duration
}

func (w Waiting) start() *waiter {
	return &waiter{w: w, began: w.Now(), next: w.First}
}

// restart begins the backoff again from First (the deadline stays).
func (t *waiter) restart() { t.next = t.w.First }

// waited is the time since the wait began.
func (t *waiter) waited() time.Duration { return t.w.Now().Sub(t.began) }

// sleep waits until the next try is due; errGaveUp once the limit has passed, ctx's error
// when it ends first.
func (t *waiter) sleep(ctx context.Context) error {
	if t.waited() >= t.w.Limit {
		return errGaveUp
	}
	limit := t.w.Cap
	if t.waited() < t.w.Steady && t.w.Quick > 0 {
		limit = t.w.Quick
	}
	d := min(t.next, limit)
	t.next = min(2*t.next, t.w.Cap)
	return t.w.Sleep(ctx, d)
}
