package watch_test

import (
	"sync"
	"testing"
	"time"
)

// fakeClock is a Clock the test moves: the watcher waits on one timer at a time, and tick
// fires it once the watcher is waiting, so each tick is exactly one walk.
type fakeClock struct {
	calls chan struct{} // one per After: the watcher is waiting again

	mu    sync.Mutex
	now   time.Time
	timer *fakeTimer
	armed bool // a call was taken from calls and its timer not yet fired
}

type fakeTimer struct {
	at time.Time
	ch chan time.Time
}

var epoch = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

func newFakeClock() *fakeClock {
	return &fakeClock{calls: make(chan struct{}, 1), now: epoch}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	t := &fakeTimer{at: c.now.Add(d), ch: make(chan time.Time, 1)}
	c.timer = t
	c.mu.Unlock()
	c.calls <- struct{}{}
	return t.ch
}

// waiting returns once the watcher waits for its next walk, i.e. the last walk is done.
func (c *fakeClock) waiting(t *testing.T) {
	t.Helper()
	c.mu.Lock()
	armed := c.armed
	c.mu.Unlock()
	if armed {
		return
	}
	select {
	case <-c.calls:
	case <-time.After(5 * time.Second):
		t.Fatal("the watcher never waited for its next walk")
	}
	c.mu.Lock()
	c.armed = true
	c.mu.Unlock()
}

// tick moves the time to the watcher's timer, fires it and returns once that walk is done;
// it returns the time of the walk.
func (c *fakeClock) tick(t *testing.T) time.Time {
	t.Helper()
	c.waiting(t)
	c.mu.Lock()
	timer := c.timer
	if timer.at.After(c.now) {
		c.now = timer.at
	}
	now := c.now
	c.armed, c.timer = false, nil
	c.mu.Unlock()
	timer.ch <- now
	c.waiting(t)
	return now
}
