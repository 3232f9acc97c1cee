package cli_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"

	"github.com/samship/samship/internal/testenv"
)

// run is one samship process of a round: when it ran, and how it ended.
type run struct {
	start, end time.Time
	out        string
	err        error
}

func overlaps(a, b run) bool { return a.start.Before(b.end) && b.start.Before(a.end) }

// overlapTally counts what the rounds of one scenario gave.
type overlapTally struct {
	name                           string
	rounds, overlapped, loud, lost int
	// silent counts functions left on a deleted image in a round where every run exited 0:
	// data lost without a word. The target is 0; lost with a loud failure is what a rerun
	// mends.
	silent int
}

func (o overlapTally) String() string {
	return fmt.Sprintf("%s: %d rounds, %d overlapped, %d runs failed loudly, %d functions left on a deleted image (%d of them silently)",
		o.name, o.rounds, o.overlapped, o.loud, o.lost, o.silent)
}

// TestOverlappingRuns starts real samship processes against one stack at random offsets: a
// deploy removing a function beside one keeping it (both orders), a deploy with new images
// beside `prune --keep 0 --min-age 0`, and a deploy beside `delete --no-prompts`. After
// every round each function of the live stack must run an image that exists, unless a run
// failed loudly; a clean rerun then converges. Figures: docs/reliability.md.
func TestOverlappingRuns(t *testing.T) {
	testenv.Needs(t, "the local AWS, for concurrent runs")
	t.Run("emulator's times", func(t *testing.T) { overlappingRuns(t, newFaultRig(t), "overlap", 1) })
	// CloudFormation's own times (a tenth of issue 11's): each stack is in progress for a
	// while, so runs meet while the other's change set is being made or executed.
	t.Run("AWS-like times", func(t *testing.T) {
		lp, err := testenv.StartLatencyProxy(testenv.SharedMoto(t).URL, testenv.AWSLike.Scaled(0.1))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(lp.Stop)
		overlappingRuns(t, newFaultRigOn(t, lp.URL), "overlap-aws", 0.5)
	})
}

// overlappingRuns runs the scenarios on stack, rounds scaled by share.
func overlappingRuns(t *testing.T, r *faultRig, stack string, share float64) {
	rng := rand.New(rand.NewPCG(20261204, 21))
	if out, err := r.deploy(stack, 3); err != nil {
		t.Fatalf("first deploy: %v\n%s", err, out)
	}
	scenarios := []struct {
		name   string
		rounds int
		spread int // the second run starts up to this many milliseconds after the first
		// a and b are the two runs; prepare readies the round (new images).
		prepare func()
		a, b    func(*faultRig) (string, error)
	}{
		{name: "deploy removing Fn3 ∥ deploy keeping it", rounds: 10, spread: 1200,
			a: func(c *faultRig) (string, error) { return c.deploy(stack, 2) },
			b: func(c *faultRig) (string, error) { return c.deploy(stack, 3) }},
		{name: "deploy keeping Fn3 ∥ deploy removing it", rounds: 6, spread: 1200,
			a: func(c *faultRig) (string, error) { return c.deploy(stack, 3) },
			b: func(c *faultRig) (string, error) { return c.deploy(stack, 2) }},
		{name: "deploy of new images ∥ prune --keep 0 --min-age 0", rounds: 8, spread: 1000,
			prepare: func() {
				for i := 1; i <= 3; i++ {
					if err := testenv.WriteImage(filepath.Join(r.dir, "images", fmt.Sprintf("fn%d", i)), "oci-layout", 4096, 2); err != nil {
						t.Fatal(err)
					}
				}
			},
			a: func(c *faultRig) (string, error) { return c.deploy(stack, 3) },
			b: func(c *faultRig) (string, error) { return c.prune(stack) }},
		{name: "deploy ∥ delete --no-prompts", rounds: 6, spread: 500,
			a: func(c *faultRig) (string, error) { return c.deploy(stack, 3) },
			b: func(c *faultRig) (string, error) {
				return c.samship("delete", "--stack-name", stack, "--no-prompts")
			}},
	}
	var tallies []overlapTally
	for _, sc := range scenarios {
		rounds := max(2, int(float64(sc.rounds)*share))
		tl := overlapTally{name: sc.name, rounds: rounds}
		for round := range rounds {
			if sc.prepare != nil {
				sc.prepare()
			}
			offset := time.Duration(rng.IntN(sc.spread)) * time.Millisecond
			var a, b run
			var wg sync.WaitGroup
			wg.Add(2)
			go func() {
				defer wg.Done()
				a.start = time.Now()
				a.out, a.err = sc.a(r.clone())
				a.end = time.Now()
			}()
			go func() {
				defer wg.Done()
				time.Sleep(offset)
				b.start = time.Now()
				b.out, b.err = sc.b(r.clone())
				b.end = time.Now()
			}()
			wg.Wait()
			if overlaps(a, b) {
				tl.overlapped++
			}
			loud := 0
			for _, x := range []run{a, b} {
				if x.err != nil {
					loud++
					if os.Getenv("SAMSHIP_FAULT_LOG") != "" {
						t.Logf("%s, round %d: a run failed: %v\n%s", sc.name, round, x.err, x.out)
					}
				}
			}
			tl.loud += loud
			if r.stackExists(stack) {
				n := r.lostImages(stack)
				tl.lost += n
				if loud == 0 {
					tl.silent += n
				}
			}
			// A clean rerun converges: all three functions, each image in place.
			if out, err := r.deploy(stack, 3); err != nil {
				t.Fatalf("%s, round %d: clean rerun: %v\n%s", sc.name, round, err, out)
			}
			r.converged(stack, 3)
		}
		tallies = append(tallies, tl)
	}
	for _, tl := range tallies {
		t.Logf("overlapping runs on %s, %v", stack, tl)
		if tl.silent > 0 {
			t.Errorf("%s: %d functions were left on a deleted image while every run said it succeeded", tl.name, tl.silent)
		}
	}
}

// stackExists reports whether stack is there (in any state but deleted).
func (r *faultRig) stackExists(stack string) bool {
	r.t.Helper()
	cfg, err := r.moto.Config(context.Background())
	if err != nil {
		r.t.Fatal(err)
	}
	out, err := cloudformation.NewFromConfig(cfg).DescribeStacks(context.Background(), &cloudformation.DescribeStacksInput{StackName: aws.String(stack)})
	return err == nil && len(out.Stacks) > 0 && out.Stacks[0].StackStatus != "DELETE_COMPLETE"
}
