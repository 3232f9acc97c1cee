package watch_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/samship/samship/internal/watch"
)

func TestWatchTwoRootsInOneBatch(t *testing.T) {
	a, b, c := t.TempDir(), t.TempDir(), t.TempDir()
	ch, clock, _ := start(t,
		watch.Root{Key: "FnA", Dir: a}, watch.Root{Key: "FnB", Dir: b}, watch.Root{Key: "FnC", Dir: c})
	write(t, a, "a.py", "a")
	seen := clock.tick(t)
	write(t, b, "b.py", "b") // inside the quiet period of a's change
	clock.tick(t)
	clock.tick(t)
	got := receive(t, ch)
	want := watch.Change{
		Keys:  []string{"FnA", "FnB"},
		Paths: append(abs(a, "a.py"), abs(b, "b.py")...),
		First: seen,
	}
	slices.Sort(want.Paths)
	if diff := cmp.Diff(want, got, cmpopts.EquateErrors()); diff != "" {
		t.Errorf("Watch change (-want +got):\n%s", diff)
	}
}

// Two functions share a build context; one ignores what only the other copies.
func TestWatchRootsSharingADir(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "shared/util.py", "")
	write(t, dir, "api/handler.py", "")
	write(t, dir, "worker/handler.py", "")
	without := func(skip string) func(string) bool {
		return func(rel string) bool { return rel == skip || strings.HasPrefix(rel, skip+"/") || rel == ".samship" }
	}
	ch, clock, _ := start(t,
		watch.Root{Key: "Api", Dir: dir, Ignore: without("worker")},
		watch.Root{Key: "Worker", Dir: dir + "/", Ignore: without("api")},
		watch.Root{Key: "Worker", Dir: filepath.Join(dir, "worker")}, // the same key twice
	)
	steps := []struct {
		name  string
		write string
		want  []string
	}{
		{name: "shared file", write: "shared/util.py", want: []string{"Api", "Worker"}},
		{name: "api's file", write: "api/handler.py", want: []string{"Api"}},
		{name: "worker's file", write: "worker/handler.py", want: []string{"Worker"}},
	}
	for _, s := range steps {
		write(t, dir, s.write, "changed: "+s.name)
		seen := clock.tick(t)
		clock.tick(t)
		got := receive(t, ch)
		want := watch.Change{Keys: s.want, Paths: abs(dir, s.write), First: seen}
		if diff := cmp.Diff(want, got, cmpopts.EquateErrors()); diff != "" {
			t.Errorf("Watch after writing %s: change (-want +got):\n%s", s.write, diff)
		}
	}
	write(t, dir, ".samship/blobs/x", "ignored by both")
	clock.tick(t)
	clock.tick(t)
	none(t, ch)
}

func TestWatchRootDirVanishesThenReturns(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "fn")
	write(t, dir, "app.py", "v1")
	other := t.TempDir()
	ch, clock, _ := start(t, watch.Root{Key: "Fn", Dir: dir}, watch.Root{Key: "Other", Dir: other})

	if err := os.Rename(dir, dir+".old"); err != nil {
		t.Fatal(err)
	}
	failed := clock.tick(t)
	got := receive(t, ch)
	want := watch.Change{Keys: []string{"Fn"}, First: failed}
	if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(watch.Change{}, "Err")); diff != "" {
		t.Errorf("Watch after its dir went: change (-want +got):\n%s", diff)
	}
	if got.Err == nil || !strings.Contains(got.Err.Error(), dir) || !strings.HasPrefix(got.Err.Error(), "watch Fn: ") {
		t.Errorf("Watch after its dir went: Err = %v, want one naming Fn and %s", got.Err, dir)
	}

	// Still gone: not reported again; other roots are still watched.
	clock.tick(t)
	write(t, other, "o.py", "")
	seen := clock.tick(t)
	clock.tick(t)
	got = receive(t, ch)
	if diff := cmp.Diff(watch.Change{Keys: []string{"Other"}, Paths: abs(other, "o.py"), First: seen}, got, cmpopts.EquateErrors()); diff != "" {
		t.Errorf("Watch of the other root while Fn is gone: change (-want +got):\n%s", diff)
	}

	// Back, with a new file and an old one edited: compared with the last walk that worked.
	write(t, dir, "app.py", "v2")
	write(t, dir, "new.py", "")
	seen = clock.tick(t)
	clock.tick(t)
	got = receive(t, ch)
	if diff := cmp.Diff(watch.Change{Keys: []string{"Fn"}, Paths: abs(dir, "app.py", "new.py"), First: seen}, got, cmpopts.EquateErrors()); diff != "" {
		t.Errorf("Watch after its dir came back: change (-want +got):\n%s", diff)
	}

	// Gone again: reported again.
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	clock.tick(t)
	if got := receive(t, ch); got.Err == nil {
		t.Errorf("Watch after its dir went a second time: change %+v, want an Err", got)
	}
}

func TestWatchCancelClosesTheChannel(t *testing.T) {
	dir := t.TempDir()
	ch, clock, cancel := start(t, watch.Root{Key: "Fn", Dir: dir})
	write(t, dir, "app.py", "")
	clock.tick(t)
	clock.tick(t) // a batch is ready and not received
	cancel()
	for {
		select {
		case c, ok := <-ch:
			if !ok {
				return
			}
			// The ready batch may win the race with the cancel; nothing else may come.
			if diff := cmp.Diff(abs(dir, "app.py"), c.Paths); diff != "" {
				t.Errorf("Watch change after cancel (-want +got):\n%s", diff)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("Watch did not close its channel after the cancel")
		}
	}
}

func TestWatchBadRoots(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "file", "")
	tests := []struct {
		name  string
		roots []watch.Root
		want  string
	}{
		{name: "none", want: "watch: no roots given"},
		{name: "no key", roots: []watch.Root{{Dir: dir}}, want: `watch root with dir "` + dir + `": empty key`},
		{name: "relative", roots: []watch.Root{{Key: "Fn", Dir: "fn"}}, want: `watch root Fn: dir "fn" is not absolute`},
		{
			name:  "missing",
			roots: []watch.Root{{Key: "Fn", Dir: dir + "/nope"}, {Key: "Api", Dir: dir + "/nope"}},
			want:  "watch Api, Fn: stat " + dir + "/nope: no such file or directory",
		},
		{
			name:  "a file",
			roots: []watch.Root{{Key: "Fn", Dir: dir + "/file"}},
			want:  "watch Fn: walk " + dir + "/file: not a directory",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ch, err := watch.Watch(t.Context(), tt.roots, watch.Options{Clock: newFakeClock()})
			if ch != nil || err == nil || err.Error() != tt.want {
				t.Errorf("Watch(%v) = %v, %v, want nil, %s", tt.roots, ch, err, tt.want)
			}
		})
	}
}

// On the real clock, with short intervals: a save is seen and sent within a second.
func TestWatchRealClock(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(t.Context(), time.Second)
	defer cancel()
	ch, err := watch.Watch(ctx, []watch.Root{{Key: "Fn", Dir: dir}},
		watch.Options{Interval: 10 * time.Millisecond, Quiet: 30 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	saved := time.Now()
	write(t, dir, "app.py", "")
	select {
	case got := <-ch:
		if diff := cmp.Diff(abs(dir, "app.py"), got.Paths); diff != "" {
			t.Errorf("Watch change paths (-want +got):\n%s", diff)
		}
		if d := got.First.Sub(saved); d < 0 || d > 500*time.Millisecond {
			t.Errorf("Watch change First = save + %v, want within 500ms after", d)
		}
	case <-ctx.Done():
		t.Fatal("Watch sent no change within a second of a save")
	}
	cancel()
	for {
		select {
		case _, ok := <-ch:
			if !ok {
				return
			}
		case <-time.After(5 * time.Second):
			t.Fatal("Watch did not close its channel after the cancel")
		}
	}
}
