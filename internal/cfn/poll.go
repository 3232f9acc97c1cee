package cfn

import (
	"context"
	"time"
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
