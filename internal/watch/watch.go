package watch

import (
	"context"
	"path/filepath"
	"slices"
	"time"
)

// Root is one tree to watch: a build context, with what to leave out.
type Root struct {
	// Key is what the caller calls the root: a function's logical id, or a context
	// directory shared by several. Roots may share a key; a Change names it once.
	Key string
	// Dir is the tree's directory, absolute. Roots may share a directory.
	Dir string
	// Ignore is true for paths to leave out (slash-separated, relative to Dir): the caller
	// passes .dockerignore's matcher and the build directory. May be nil. An ignored
	// directory is not entered, so Ignore must be false for a directory that a "!" pattern
	// may bring something back from. It must depend on the path only: its answer for a
	// path is remembered while the watch runs (start a new watch when .dockerignore changes).
	Ignore func(rel string) bool
}

// Change is one batch of changes after the debounce, or one walk error.
type Change struct {
	// Keys are the roots that changed (or that could not be walked), sorted.
	Keys []string
	// Paths are the absolute paths added, removed or changed (in size, modification time
	// or mode) in the batch, sorted; none when Err is set.
	Paths []string
	// First is when the first change of the batch was seen (the "save" time for the time
	// from save to serving), or when the error was.
	First time.Time
	// Err is set when the roots in Keys could not be walked: their directory is gone, is
	// not a directory, or could not be read. It is sent once, when a walk of those roots
	// first fails (or fails differently); watching goes on. When a walk works again the
	// tree is compared with the last one that worked: what differs is a Change as usual.
	Err error
}

// Options tunes Watch; the zero value is the defaults.
type Options struct {
	Interval time.Duration // between walks; 300 ms when zero or less
	Quiet    time.Duration // debounce: a batch is sent once nothing changed for this long; 200 ms when zero or less
	Clock    Clock         // the time to run on; the real clock when nil
}

const (
	defaultInterval = 300 * time.Millisecond
	defaultQuiet    = 200 * time.Millisecond
)

func (o Options) withDefaults() Options {
	if o.Interval <= 0 {
		o.Interval = defaultInterval
	}
	if o.Quiet <= 0 {
		o.Quiet = defaultQuiet
	}
	if o.Clock == nil {
		o.Clock = realClock{}
	}
	return o
}

// Watch walks the roots once (the baseline; an error is returned if one cannot be walked or a
// root is invalid), then walks them every Interval and sends a Change for each batch of
// changes once Quiet has passed with none, until ctx is done; the channel is then closed.
// While the receiver is busy, changes seen meanwhile join the batch not yet received. A root
// that cannot be walked later is sent as a Change with Err (see Change.Err).
func Watch(ctx context.Context, roots []Root, opts Options) (<-chan Change, error) {
	groups, err := groupRoots(roots)
	if err != nil {
		return nil, err
	}
	for _, g := range groups {
		if g.snap, err = g.walk(nil); err != nil {
			return nil, g.fail(err)
		}
	}
	w := &watcher{groups: groups, opts: opts.withDefaults(), out: make(chan Change)}
	go w.run(ctx)
	return w.out, nil
}

// watcher is one running Watch.
type watcher struct {
	groups []*group
	opts   Options
	out    chan Change
	errs   []Change // walk errors not yet sent
	batch  batch
}

// batch is the changes seen since the last Change sent.
type batch struct {
	keys, paths map[string]bool
	first, last time.Time // when the first and the latest change were seen
	ready       bool      // a walk Quiet after the latest change saw none
}

func (b *batch) add(key []string, path string, now time.Time) {
	if b.paths == nil {
		b.keys, b.paths, b.first = map[string]bool{}, map[string]bool{}, now
	}
	for _, k := range key {
		b.keys[k] = true
	}
	b.paths[path] = true
	b.last, b.ready = now, false
}

func (b *batch) change() Change {
	c := Change{First: b.first}
	for k := range b.keys {
		c.Keys = append(c.Keys, k)
	}
	for p := range b.paths {
		c.Paths = append(c.Paths, p)
	}
	slices.Sort(c.Keys)
	slices.Sort(c.Paths)
	return c
}

// run walks on each tick of the clock and offers what is ready to the receiver meanwhile.
func (w *watcher) run(ctx context.Context) {
	defer close(w.out)
	var tick <-chan time.Time
	for {
		if tick == nil {
			tick = w.opts.Clock.After(w.wait())
		}
		var send chan<- Change
		var next Change
		switch {
		case len(w.errs) > 0:
			send, next = w.out, w.errs[0]
		case w.batch.ready:
			send, next = w.out, w.batch.change()
		}
		select {
		case <-ctx.Done():
			return
		case send <- next:
			if len(w.errs) > 0 {
				w.errs = w.errs[1:]
			} else {
				w.batch = batch{}
			}
		case <-tick:
			tick = nil
			w.walk(w.opts.Clock.Now())
		}
	}
}

// wait is how long until the next walk: Interval, or less when that walk may end a batch's
// quiet period sooner.
func (w *watcher) wait() time.Duration {
	d := w.opts.Interval
	if b := w.batch; b.paths != nil && !b.ready {
		d = min(d, max(b.last.Add(w.opts.Quiet).Sub(w.opts.Clock.Now()), 0))
	}
	return d
}

// walk walks every group, adding what changed to the batch and queueing new walk errors.
func (w *watcher) walk(now time.Time) {
	changed := false
	for _, g := range w.groups {
		next, err := g.walk(g.snap)
		if err != nil {
			if msg := err.Error(); msg != g.err {
				g.err = msg
				w.errs = append(w.errs, Change{Keys: g.keys(g.all), First: now, Err: g.fail(err)})
			}
			continue
		}
		g.err = ""
		diff(g.snap, next, func(rel string, seen *keySet) {
			changed = true
			w.batch.add(g.keys(seen), filepath.Join(g.dir, filepath.FromSlash(rel)), now)
		})
		g.snap = next
	}
	if !changed && w.batch.paths != nil && now.Sub(w.batch.last) >= w.opts.Quiet {
		w.batch.ready = true
	}
}
