package sync

import (
	"context"
	"sort"
	"time"

	"github.com/samship/samship/internal/watch"
)

// Round is one sync of a watch: the functions a batch of saves touched, the first save's
// time, and how it ended.
type Round struct {
	Functions []string
	Saved     time.Time
	// Serving is when the last of the functions served its new code (or the round failed).
	Serving time.Time
	Err     error
}

// Watched sums a sync --watch up when it stops (the result record of --output json).
type Watched struct {
	StackName string `json:"stack_name"`
	// Rounds counts the syncs after the first, Failed those of them that failed.
	Rounds int `json:"rounds"`
	Failed int `json:"rounds_failed"`
}

// Count adds a round to the sum.
func (w *Watched) Count(r Round) {
	w.Rounds++
	if r.Err != nil {
		w.Failed++
	}
}

// Watch runs once for each batch of changes, with the functions the batch touched (byKey maps
// a watched root's key to its functions), until ctx ends or changes closes; each round is
// reported to done. A failed round (a build error while the file is half-written, say) is
// reported and watching goes on: the next save tries again.
func Watch(ctx context.Context, changes <-chan watch.Change, byKey map[string][]string, now func() time.Time,
	once func(ctx context.Context, functions []string) error, done func(Round)) error {
	for {
		select {
		case <-ctx.Done():
			return nil
		case ch, ok := <-changes:
			if !ok {
				return nil
			}
			fns := touched(ch.Keys, byKey)
			if len(fns) == 0 {
				continue
			}
			if ch.Err != nil { // a context that cannot be read now: said, and watched on
				done(Round{Functions: fns, Saved: ch.First, Serving: now(), Err: ch.Err})
				continue
			}
			err := once(ctx, fns)
			if ctx.Err() != nil {
				return nil
			}
			done(Round{Functions: fns, Saved: ch.First, Serving: now(), Err: err})
		}
	}
}

// touched lists, sorted and once each, the functions of keys.
func touched(keys []string, byKey map[string][]string) []string {
	set := map[string]bool{}
	for _, k := range keys {
		for _, f := range byKey[k] {
			set[f] = true
		}
	}
	out := make([]string, 0, len(set))
	for f := range set {
		out = append(out, f)
	}
	sort.Strings(out)
	return out
}
