package cli_test

import (
	"math/rand/v2"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/samship/samship/internal/testenv"
)

// run is one samship process of a round: when it ran, and how it ended.
type run struct {
	start, end time.Time
	out        string
	err        error
}

func overlaps(a, b run) bool { return a.start.Before(b.end) && b.start.Before(a.end) }

// TestOverlappingRuns starts real samship deploys of one stack at random offsets: one removing
// a function, one keeping it (the other order too). After every round each function of the
// live stack must run an image that exists; a run that cannot succeed beside the other must
// fail loudly, and a clean rerun converges. Figures: docs/reliability.md.
func TestOverlappingRuns(t *testing.T) {
	testenv.Needs(t, "the local AWS, for concurrent deploys")
	r := newFaultRig(t)
	const stack, rounds = "overlap", 12
	if out, err := r.deploy(stack, 3); err != nil {
		t.Fatalf("first deploy: %v\n%s", err, out)
	}
	rng := rand.New(rand.NewPCG(20261204, 21))
	overlapped, loud, lost := 0, 0, 0
	for round := range rounds {
		// Each deploy gets its own rig state (the rig remembers its running command).
		first, second := 2, 3 // drop Fn3, then keep it
		if round%2 == 1 {
			first, second = 3, 2
		}
		offset := time.Duration(rng.IntN(1200)) * time.Millisecond
		var a, b run
		var wg sync.WaitGroup
		wg.Add(2)
		go func() {
			defer wg.Done()
			a.start = time.Now()
			a.out, a.err = r.clone().deploy(stack, first)
			a.end = time.Now()
		}()
		go func() {
			defer wg.Done()
			time.Sleep(offset)
			b.start = time.Now()
			b.out, b.err = r.clone().deploy(stack, second)
			b.end = time.Now()
		}()
		wg.Wait()
		if overlaps(a, b) {
			overlapped++
		}
		for _, x := range []run{a, b} {
			if x.err != nil {
				loud++
				if os.Getenv("SAMSHIP_FAULT_LOG") != "" {
					t.Logf("round %d: a run failed: %v\n%s", round, x.err, x.out)
				}
			}
		}
		lost += r.lostImages(stack)
		// A clean rerun converges: all three functions, each image in place.
		if out, err := r.deploy(stack, 3); err != nil {
			t.Fatalf("round %d: clean rerun: %v\n%s", round, err, out)
		}
		r.converged(stack, 3)
	}
	if lost > 0 {
		t.Errorf("%d functions ran a deleted image after a round", lost)
	}
	t.Logf("overlapping deploys: %d rounds, %d overlapped, %d runs failed loudly, %d functions left on a deleted image", rounds, overlapped, loud, lost)
}
