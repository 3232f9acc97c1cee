package watch_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/samship/samship/internal/watch"
)

var _ watch.Watcher = watch.Poller{}

func TestManualSendsWhatTheTestSends(t *testing.T) {
	var m watch.Manual
	sent := make(chan error, 1)
	change := watch.Change{Keys: []string{"Fn"}, Paths: []string{"/src/app.py"}, First: epoch}
	go func() { sent <- m.Send(change) }() // before Watch: waits for it

	ctx, cancel := context.WithCancel(t.Context())
	roots := []watch.Root{{Key: "Fn", Dir: "/src"}}
	opts := watch.Options{Interval: time.Second}
	ch, err := m.Watch(ctx, roots, opts)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(roots, m.Roots(), cmpopts.IgnoreFields(watch.Root{}, "Ignore")); diff != "" {
		t.Errorf("Manual.Roots() (-want +got):\n%s", diff)
	}
	if got := m.Options().Interval; got != time.Second {
		t.Errorf("Manual.Options().Interval = %v, want 1s", got)
	}
	if diff := cmp.Diff(change, receive(t, ch), cmpopts.EquateErrors()); diff != "" {
		t.Errorf("Manual change (-want +got):\n%s", diff)
	}
	if err := <-sent; err != nil {
		t.Errorf("Manual.Send(%+v) = %v, want nil", change, err)
	}

	cancel()
	if c, ok := <-ch; ok {
		t.Errorf("Manual channel after cancel gave %+v, want closed", c)
	}
	if err := m.Send(change); err == nil {
		t.Errorf("Manual.Send after the watch ended = nil, want an error")
	}
}

func TestManualErr(t *testing.T) {
	want := errors.New("watch Fn: boom")
	m := watch.Manual{Err: want}
	ch, err := m.Watch(t.Context(), []watch.Root{{Key: "Fn", Dir: "/src"}}, watch.Options{})
	if ch != nil || !errors.Is(err, want) {
		t.Errorf("Manual{Err}.Watch() = %v, %v, want nil, %v", ch, err, want)
	}
}

func TestPollerIsWatch(t *testing.T) {
	_, err := watch.Poller{}.Watch(t.Context(), nil, watch.Options{})
	if err == nil || err.Error() != "watch: no roots given" {
		t.Errorf("Poller.Watch(no roots) = %v, want watch: no roots given", err)
	}
}
