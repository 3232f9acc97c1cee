package watch_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/samship/samship/internal/watch"
)

const (
	interval = 300 * time.Millisecond
	quiet    = 200 * time.Millisecond
)

// write creates or replaces the file rel under dir (making its directories).
func write(t *testing.T, dir, rel, content string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// touch sets rel's modification time an hour on, so the change does not hang on the
// file system's time resolution.
func touch(t *testing.T, dir, rel string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(rel))
	later := time.Now().Add(time.Hour)
	if err := os.Chtimes(p, later, later); err != nil {
		t.Fatal(err)
	}
}

// start watches roots on a fake clock; the watch ends with the test.
func start(t *testing.T, roots ...watch.Root) (<-chan watch.Change, *fakeClock, context.CancelFunc) {
	t.Helper()
	clock := newFakeClock()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	ch, err := watch.Watch(ctx, roots, watch.Options{Interval: interval, Quiet: quiet, Clock: clock})
	if err != nil {
		t.Fatalf("Watch(%v) = %v", roots, err)
	}
	return ch, clock, cancel
}

// receive takes the next Change, failing the test if none comes.
func receive(t *testing.T, ch <-chan watch.Change) watch.Change {
	t.Helper()
	select {
	case c, ok := <-ch:
		if !ok {
			t.Fatal("the changes channel was closed")
		}
		return c
	case <-time.After(5 * time.Second):
		t.Fatal("no change was sent")
	}
	return watch.Change{}
}

// none fails the test if a Change is waiting.
func none(t *testing.T, ch <-chan watch.Change) {
	t.Helper()
	select {
	case c := <-ch:
		t.Fatalf("a change was sent: %+v", c)
	case <-time.After(5 * time.Millisecond):
	}
}

// abs makes the slash-separated rels absolute under dir.
func abs(dir string, rels ...string) []string {
	var out []string
	for _, r := range rels {
		out = append(out, filepath.Join(dir, filepath.FromSlash(r)))
	}
	return out
}

func TestWatchOneRoot(t *testing.T) {
	ignoreBuild := func(rel string) bool { return rel == ".samship" || strings.HasSuffix(rel, ".pyc") }
	tests := []struct {
		name   string
		before map[string]string // files there before the watch starts
		change func(t *testing.T, dir string)
		want   []string // paths in the Change, relative; none: no Change
	}{
		{
			name:   "new file",
			change: func(t *testing.T, dir string) { write(t, dir, "app.py", "print(1)") },
			want:   []string{"app.py"},
		},
		{
			name:   "new file in a new directory",
			change: func(t *testing.T, dir string) { write(t, dir, "pkg/mod.py", "x = 1") },
			want:   []string{"pkg", "pkg/mod.py"},
		},
		{
			name:   "same size, new modification time",
			before: map[string]string{"app.py": "print(1)"},
			change: func(t *testing.T, dir string) {
				write(t, dir, "app.py", "print(2)")
				touch(t, dir, "app.py")
			},
			want: []string{"app.py"},
		},
		{
			name:   "new size",
			before: map[string]string{"app.py": "print(1)"},
			change: func(t *testing.T, dir string) { write(t, dir, "app.py", "print(12)") },
			want:   []string{"app.py"},
		},
		{
			name:   "new mode",
			before: map[string]string{"run.sh": "#!/bin/sh"},
			change: func(t *testing.T, dir string) {
				if err := os.Chmod(filepath.Join(dir, "run.sh"), 0o755); err != nil {
					t.Fatal(err)
				}
			},
			want: []string{"run.sh"},
		},
		{
			name:   "deleted file",
			before: map[string]string{"app.py": "print(1)", "keep.py": ""},
			change: func(t *testing.T, dir string) {
				if err := os.Remove(filepath.Join(dir, "app.py")); err != nil {
					t.Fatal(err)
				}
			},
			want: []string{"app.py"},
		},
		{
			name:   "deleted directory",
			before: map[string]string{"pkg/a.py": "", "pkg/b.py": ""},
			change: func(t *testing.T, dir string) {
				if err := os.RemoveAll(filepath.Join(dir, "pkg")); err != nil {
					t.Fatal(err)
				}
			},
			want: []string{"pkg", "pkg/a.py", "pkg/b.py"},
		},
		{
			name:   "file in an ignored directory",
			before: map[string]string{".samship/index.json": "{}"},
			change: func(t *testing.T, dir string) { write(t, dir, ".samship/blobs/sha256/ab", "x") },
		},
		{
			name:   "ignored file",
			change: func(t *testing.T, dir string) { write(t, dir, "pkg/mod.pyc", "x") },
			want:   []string{"pkg"},
		},
		{
			name:   "nothing",
			before: map[string]string{"app.py": "print(1)"},
			change: func(t *testing.T, dir string) {},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for rel, content := range tt.before {
				write(t, dir, rel, content)
			}
			ch, clock, _ := start(t, watch.Root{Key: "Fn", Dir: dir, Ignore: ignoreBuild})
			tt.change(t, dir)
			seen := clock.tick(t)
			clock.tick(t) // quiet
			if tt.want == nil {
				none(t, ch)
				// A later change comes alone: the first was not merely late.
				write(t, dir, "later.py", "")
				seen = clock.tick(t)
				clock.tick(t)
				tt.want = []string{"later.py"}
			}
			got := receive(t, ch)
			want := watch.Change{Keys: []string{"Fn"}, Paths: abs(dir, tt.want...), First: seen}
			if diff := cmp.Diff(want, got, cmpopts.EquateErrors()); diff != "" {
				t.Errorf("Watch(%s) change (-want +got):\n%s", dir, diff)
			}
		})
	}
}

func TestWatchBurstIsOneChange(t *testing.T) {
	dir := t.TempDir()
	ch, clock, _ := start(t, watch.Root{Key: "Fn", Dir: dir})
	var first time.Time
	var files []string
	for i := range 5 {
		f := "f" + strings.Repeat("x", i)
		files = append(files, f)
		write(t, dir, f, strings.Repeat("y", i))
		now := clock.tick(t)
		if i == 0 {
			first = now
		}
		none(t, ch)
	}
	last := clock.tick(t)
	got := receive(t, ch)
	want := watch.Change{Keys: []string{"Fn"}, Paths: abs(dir, files...), First: first}
	if diff := cmp.Diff(want, got, cmpopts.EquateErrors()); diff != "" {
		t.Errorf("Watch after a burst of writes: change (-want +got):\n%s", diff)
	}
	// Walks during a burst come Quiet apart; the batch is sent at the first quiet one.
	if got, want := last.Sub(first), 5*quiet; got != want {
		t.Errorf("Watch sent a burst %v after its first change, want %v", got, want)
	}
}

func TestWatchQuietLongerThanInterval(t *testing.T) {
	dir := t.TempDir()
	clock := newFakeClock()
	ch, err := watch.Watch(t.Context(), []watch.Root{{Key: "Fn", Dir: dir}},
		watch.Options{Interval: 100 * time.Millisecond, Quiet: 250 * time.Millisecond, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	write(t, dir, "app.py", "x")
	seen := clock.tick(t)
	clock.tick(t) // +100 ms
	clock.tick(t) // +200 ms
	none(t, ch)
	if sent := clock.tick(t); sent.Sub(seen) != 250*time.Millisecond {
		t.Errorf("Watch's last quiet walk came %v after the change, want 250ms", sent.Sub(seen))
	}
	got := receive(t, ch)
	if diff := cmp.Diff(abs(dir, "app.py"), got.Paths); diff != "" {
		t.Errorf("Watch change paths (-want +got):\n%s", diff)
	}
}

// While the receiver is busy (building), what changes joins the batch it has not taken.
func TestWatchBusyReceiverGetsOneBatch(t *testing.T) {
	dir := t.TempDir()
	ch, clock, _ := start(t, watch.Root{Key: "Fn", Dir: dir})
	write(t, dir, "a.py", "")
	seen := clock.tick(t)
	clock.tick(t) // the batch is ready; nobody receives it
	clock.tick(t)
	write(t, dir, "b.py", "")
	clock.tick(t)
	none(t, ch) // b.py's quiet period has not passed
	clock.tick(t)
	got := receive(t, ch)
	want := watch.Change{Keys: []string{"Fn"}, Paths: abs(dir, "a.py", "b.py"), First: seen}
	if diff := cmp.Diff(want, got, cmpopts.EquateErrors()); diff != "" {
		t.Errorf("Watch change to a busy receiver (-want +got):\n%s", diff)
	}
}
