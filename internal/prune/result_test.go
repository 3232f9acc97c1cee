package prune_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/samship/samship/internal/companion"
	"github.com/samship/samship/internal/prune"
)

// failing fails the deletions in one repository.
type failing struct {
	prune.Images
	repo string
}

func (f failing) DeleteDigests(ctx context.Context, repo string, digests []string) ([]string, error) {
	if repo == f.repo {
		return nil, errors.New("throttled")
	}
	return f.Images.DeleteDigests(ctx, repo, digests)
}

// outcome is a Result in short: per repository its kept counts and the images deleted (by
// first tag), then the totals.
type outcome struct {
	Kept                    map[string]prune.KeptCounts
	Deleted                 map[string][]string
	ToDelete, Freed         int
	BytesToFree, BytesFreed int64
	DryRun                  bool
	CompanionStack          string
}

func summarize(res *prune.Result) outcome {
	o := outcome{Kept: map[string]prune.KeptCounts{}, Deleted: map[string][]string{}, ToDelete: res.ImagesToDelete, Freed: res.ImagesDeleted,
		BytesToFree: res.BytesToFree, BytesFreed: res.BytesFreed, DryRun: res.DryRun, CompanionStack: res.CompanionStack}
	for _, r := range res.Repositories {
		o.Kept[r.Name] = r.Kept
		for _, img := range r.Images {
			if img.Deleted {
				tag := "untagged"
				if len(img.Tags) > 0 {
					tag = img.Tags[0]
				}
				o.Deleted[r.Name] = append(o.Deleted[r.Name], tag)
			}
		}
	}
	return o
}

// TestResult: Run returns what it kept and why, and what it deleted, in a dry run, a run, and
// runs that fail or stop part way.
func TestResult(t *testing.T) {
	const mib = 1 << 20
	comp := companion.StackName("app")
	tests := []struct {
		name    string
		in      prune.Input
		setup   func(w *world)
		failA   bool // deleting from the first repository fails
		want    func(w *world) outcome
		wantErr string
	}{
		{name: "a run", in: prune.Input{StackName: "app", Keep: 1, NoPrompts: true},
			want: func(w *world) outcome {
				return outcome{CompanionStack: comp, ToDelete: 8, Freed: 8, BytesToFree: 21 * mib, BytesFreed: 21 * mib,
					Kept:    map[string]prune.KeptCounts{w.repoA: {InUse: 3}, w.repoB: {InUse: 1, Newest: 1}},
					Deleted: map[string][]string{w.repoA: tags("hello", 4, 3, 1), w.repoB: append(tags("world", 5, 4, 3, 2), "untagged")}}
			}},
		{name: "a dry run", in: prune.Input{StackName: "app", Keep: 1, DryRun: true},
			want: func(w *world) outcome {
				return outcome{CompanionStack: comp, DryRun: true, ToDelete: 8, BytesToFree: 21 * mib, Deleted: map[string][]string{},
					Kept: map[string]prune.KeptCounts{w.repoA: {InUse: 3}, w.repoB: {InUse: 1, Newest: 1}}}
			}},
		{name: "too young", in: prune.Input{StackName: "app", MinAge: 2 * time.Hour, NoPrompts: true},
			setup: func(w *world) { w.now = time.Date(2026, 11, 30, 14, 30, 0, 0, time.UTC) },
			want: func(w *world) outcome {
				return outcome{CompanionStack: comp, ToDelete: 7, Freed: 7, BytesToFree: 18 * mib, BytesFreed: 18 * mib,
					Kept:    map[string]prune.KeptCounts{w.repoA: {InUse: 3}, w.repoB: {InUse: 1, TooYoung: 2}},
					Deleted: map[string][]string{w.repoA: tags("hello", 4, 3, 1), w.repoB: append(tags("world", 4, 3, 2), "untagged")}}
			}},
		{name: "referenced by an image index", in: prune.Input{StackName: "app", Keep: 1, NoPrompts: true},
			setup: func(w *world) { w.ecr.Referenced = map[string]bool{digest(13): true} },
			want: func(w *world) outcome {
				return outcome{CompanionStack: comp, ToDelete: 7, Freed: 7, BytesToFree: 18 * mib, BytesFreed: 18 * mib,
					Kept:    map[string]prune.KeptCounts{w.repoA: {InUse: 3}, w.repoB: {InUse: 1, Newest: 1, Referenced: 1}},
					Deleted: map[string][]string{w.repoA: tags("hello", 4, 3, 1), w.repoB: append(tags("world", 5, 4, 2), "untagged")}}
			}},
		{name: "one repository fails", in: prune.Input{StackName: "app", Keep: 1, NoPrompts: true}, wantErr: "prune stack app: throttled (5 images deleted before it",
			failA: true,
			want: func(w *world) outcome {
				return outcome{CompanionStack: comp, ToDelete: 8, Freed: 5, BytesToFree: 21 * mib, BytesFreed: 13 * mib,
					Kept:    map[string]prune.KeptCounts{w.repoA: {InUse: 3}, w.repoB: {InUse: 1, Newest: 1}},
					Deleted: map[string][]string{w.repoB: append(tags("world", 5, 4, 3, 2), "untagged")}}
			}},
		{name: "no companion stack", in: prune.Input{StackName: "app", Keep: 1},
			setup: func(w *world) { delete(w.cfn.Stacks, comp) },
			want: func(*world) outcome {
				return outcome{Kept: map[string]prune.KeptCounts{}, Deleted: map[string][]string{}}
			}},
		{name: "stack being updated", in: prune.Input{StackName: "app", Keep: 1}, wantErr: "prune stack app: app is UPDATE_IN_PROGRESS",
			setup: func(w *world) { w.app.Status = "UPDATE_IN_PROGRESS" },
			want: func(*world) outcome {
				return outcome{Kept: map[string]prune.KeptCounts{}, Deleted: map[string][]string{}}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			if tt.setup != nil {
				tt.setup(w)
			}
			var out bytes.Buffer
			e := w.env(&out, nil)
			if tt.failA {
				e.Images = failing{Images: e.Images, repo: w.repoA}
			}
			res, err := prune.Run(context.Background(), tt.in, e)
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.HasPrefix(err.Error(), tt.wantErr)) {
				t.Fatalf("Run = %v, want %q", err, tt.wantErr)
			}
			if res == nil || res.StackName != "app" || res.Keep != tt.in.Keep || res.Repositories == nil {
				t.Fatalf("Run = %+v, want a result for stack app, keep %d, with repositories", res, tt.in.Keep)
			}
			if diff := cmp.Diff(tt.want(w), summarize(res)); diff != "" {
				t.Errorf("Run result (-want +got):\n%s", diff)
			}
		})
	}
}

// TestResultImages: each image is listed with what became of it, and what runs the ones in
// use; untagged images have no tags, not null ones.
func TestResultImages(t *testing.T) {
	w := newWorld(t)
	var out bytes.Buffer
	res, err := prune.Run(context.Background(), prune.Input{StackName: "app", Keep: 1, NoPrompts: true}, w.env(&out, nil))
	if err != nil {
		t.Fatal(err)
	}
	hello := res.Repositories[0]
	start := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	want := prune.Image{Digest: digest(2), Tags: []string{"hello-v2"}, Size: 2 << 20, Pushed: start.Add(2 * time.Hour),
		Kept: prune.InUse, By: []string{"app-Hello:1", "app-Hello:live"}}
	if diff := cmp.Diff(want, hello.Images[4]); hello.Name != w.repoA || len(hello.Images) != 6 || diff != "" {
		t.Errorf("Run listed %s with %d images; its second oldest (-want +got):\n%s", hello.Name, len(hello.Images), diff)
	}
	world := res.Repositories[1]
	untagged := world.Images[len(world.Images)-1]
	b, err := json.Marshal(untagged)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"digest":"` + digest(99) + `","tags":[],"size_bytes":1048576,"pushed_at":"2026-11-30T08:00:00Z","deleted":true}`; string(b) != want {
		t.Errorf("json.Marshal(untagged image) = %s, want %s", b, want)
	}
}
