package prune_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/google/go-cmp/cmp"

	"github.com/samship/samship/internal/cfn"
	"github.com/samship/samship/internal/cfn/cfnfake"
	"github.com/samship/samship/internal/companion"
	"github.com/samship/samship/internal/ecr"
	"github.com/samship/samship/internal/ecr/ecrfake"
	"github.com/samship/samship/internal/lambda"
	"github.com/samship/samship/internal/prune"
	"github.com/samship/samship/internal/testenv/golden"
	"github.com/samship/samship/internal/ui"
)

const host = "123456789012.dkr.ecr.us-east-1.amazonaws.com/"

// functions is a fake Lambda: what each function runs, by qualifier ("$LATEST", "1",
// aliases as "live" → "=2").
type functions struct {
	mu    sync.Mutex
	runs  map[string]map[string]string // function → qualifier → repo@digest, or "=version" for an alias
	calls []string
}

func (f *functions) Images(_ context.Context, name string) (*lambda.Function, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, "Images "+name)
	q, ok := f.runs[name]
	if !ok {
		return nil, nil
	}
	fn := &lambda.Function{Name: name, Revision: q["$LATEST"]}
	for _, k := range []string{"$LATEST", "1", "2", "3", "live"} {
		switch v := q[k]; {
		case v == "":
		case strings.HasPrefix(v, "="):
			fn.Uses = append(fn.Uses, lambda.Use{Qualifier: k, Versions: []string{v[1:]}})
		default:
			fn.Uses = append(fn.Uses, lambda.Use{Qualifier: k, Image: host + v})
		}
	}
	return fn, nil
}

func (f *functions) Latest(_ context.Context, name string) (*lambda.Use, string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, "Latest "+name)
	q, ok := f.runs[name]
	if !ok {
		return nil, "", nil
	}
	return &lambda.Use{Qualifier: "$LATEST", Image: host + q["$LATEST"]}, q["$LATEST"], nil
}

func (f *functions) set(fn, qualifier, image string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.runs[fn][qualifier] = image
}

type world struct {
	now   time.Time // AWS's clock; the machine's when zero
	cfn   *cfnfake.CFN
	ecr   *ecrfake.ECR
	fns   *functions
	app   *cfnfake.Stack
	repoA string
	repoB string
}

func digest(n int) string { return fmt.Sprintf("sha256:%x", sha256.Sum256([]byte{byte(n)})) }

// newWorld is stack "app" with two image functions, Hello (in a nested stack "Api") and
// World, each with a managed repository of six images pushed an hour apart: Hello runs image
// 6, its version 1 image 2 and version 2 image 5 (its alias live → 2); World runs image 6 by
// one tag while ECR also lists it under another.
func newWorld(t *testing.T) *world {
	t.Helper()
	w := &world{cfn: cfnfake.New(), ecr: ecrfake.New()}
	w.app = w.cfn.Seed("app", "UPDATE_COMPLETE", "Resources: {}")
	w.app.Resources = map[string]string{"Api": "arn:aws:cloudformation:us-east-1:123456789012:stack/app-Api/9", "WorldFunction": "app-World"}
	w.app.Types = map[string]string{"Api": "AWS::CloudFormation::Stack"}
	w.app.Changed = time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	nested := w.cfn.Seed("app-Api", "UPDATE_COMPLETE", "Resources: {}")
	nested.ID = "arn:aws:cloudformation:us-east-1:123456789012:stack/app-Api/9"
	nested.Resources = map[string]string{"HelloFunction": "app-Hello", "Role": "app-role"}
	nested.Types = map[string]string{"Role": "AWS::IAM::Role"}
	repos := []companion.Repo{companion.NewRepo("app", "Api/HelloFunction"), companion.NewRepo("app", "WorldFunction")}
	body, err := companion.Template(companion.StackName("app"), repos, companion.Settings{})
	if err != nil {
		t.Fatal(err)
	}
	w.cfn.Seed(companion.StackName("app"), "CREATE_COMPLETE", string(body))
	w.repoA, w.repoB = repos[0].Name, repos[1].Name
	start := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	for i := 1; i <= 6; i++ {
		w.ecr.Put(w.repoA, ecrfake.Image{Digest: digest(i), Tags: []string{fmt.Sprintf("hello-v%d", i)}, Size: int64(i) << 20, Pushed: start.Add(time.Duration(i) * time.Hour)})
		tags := []string{fmt.Sprintf("world-v%d", i)}
		if i == 1 {
			tags = append(tags, "stable") // World runs it as world-v1; ECR lists it by both
		}
		w.ecr.Put(w.repoB, ecrfake.Image{Digest: digest(10 + i), Tags: tags, Size: 3 << 20, Pushed: start.Add(time.Duration(i) * time.Hour)})
	}
	w.ecr.Put(w.repoB, ecrfake.Image{Digest: digest(99), Size: 1 << 20, Pushed: start}) // untagged, oldest
	w.fns = &functions{runs: map[string]map[string]string{
		"app-Hello": {"$LATEST": w.repoA + "@" + digest(6), "1": w.repoA + "@" + digest(2), "2": w.repoA + "@" + digest(5), "live": "=1"},
		"app-World": {"$LATEST": w.repoB + "@" + digest(11)},
	}}
	return w
}

// changeSet creates a change set of app, not executed, whose function runs image.
func (w *world) changeSet(t *testing.T, name, image string) {
	body := "Resources:\n  WorldFunction:\n    Type: AWS::Lambda::Function\n    Properties:\n      PackageType: Image\n      Code:\n        ImageUri: " + host + image + "\n"
	if _, err := w.cfn.CreateChangeSet(context.Background(), &cloudformation.CreateChangeSetInput{StackName: aws.String("app"),
		ChangeSetName: aws.String(name), TemplateBody: aws.String(body)}); err != nil {
		t.Fatal(err)
	}
}

func (w *world) env(out *bytes.Buffer, confirm func() bool) prune.Env {
	var now func() time.Time
	if !w.now.IsZero() {
		now = func() time.Time { return w.now }
	}
	return prune.Env{Stacks: cfn.New(w.cfn, cfn.Poller{}), Images: ecr.New(w.ecr), Functions: w.fns, Region: "us-east-1", Now: now,
		UI: &ui.Reporter{Out: out, Err: out, Width: 100},
		Confirm: func(context.Context, string, bool) (bool, error) {
			if confirm == nil {
				return true, nil
			}
			return confirm(), nil
		}}
}

// left names the images left in repo by their first tag, oldest first.
func (w *world) left(repo string) []string {
	var out []string
	for _, img := range w.ecr.Images(repo) {
		if len(img.Tags) == 0 {
			out = append(out, "untagged")
			continue
		}
		out = append(out, img.Tags[0])
	}
	return out
}

func TestPrune(t *testing.T) {
	tests := []struct {
		name         string
		in           prune.Input
		confirm      func(w *world) bool // answers the question, and may change the world meanwhile
		setup        func(w *world)
		wantA, wantB []string // the digests left (hex without leading zeros)
		wantOut      []string
		wantErr      string
	}{
		{name: "keeps what runs, versions, aliases and the newest", in: prune.Input{StackName: "app", Keep: 1},
			wantA: tags("hello", 2, 5, 6), wantB: tags("world", 1, 6),
			wantOut: []string{"in use: app-Hello:1, app-Hello:live", "in use: app-World:$LATEST", "Deleted 8 images (22.0 MB)."}},
		{name: "default keep of three", in: prune.Input{StackName: "app", Keep: 3, NoPrompts: true},
			wantA: tags("hello", 2, 4, 5, 6), wantB: tags("world", 1, 4, 5, 6)},
		{name: "keep none but what is in use", in: prune.Input{StackName: "app", Keep: 0, NoPrompts: true},
			wantA: tags("hello", 2, 5, 6), wantB: tags("world", 1)},
		{name: "dry run deletes nothing", in: prune.Input{StackName: "app", Keep: 1, DryRun: true},
			wantA: allA, wantB: allB, wantOut: []string{"Dry run: nothing was deleted."}},
		{name: "declined", in: prune.Input{StackName: "app", Keep: 1}, confirm: func(*world) bool { return false },
			wantA: allA, wantB: allB},
		{name: "a function updated while asking keeps its new image", in: prune.Input{StackName: "app", Keep: 1},
			confirm: func(w *world) bool { w.fns.set("app-World", "$LATEST", w.repoB+"@"+digest(12)); return true },
			wantA:   tags("hello", 2, 5, 6), wantB: tags("world", 1, 2, 6),
			wantOut: []string{"Keeping appd2a57dc1/worldfunction78a6a9ecrepo@" + digest(12)[:19] + ": in use since it was listed, by app-World:$LATEST"}},
		{name: "a deploy while asking: everything read again", in: prune.Input{StackName: "app", Keep: 1},
			confirm: func(w *world) bool {
				w.app.Changed = w.app.Changed.Add(time.Hour)
				w.fns.mu.Lock()
				w.fns.runs["app-Hello"]["3"] = w.repoA + "@" + digest(3) // a version whose $LATEST moved on
				w.fns.mu.Unlock()
				return true
			},
			wantA: tags("hello", 2, 3, 5, 6), wantB: tags("world", 1, 6)},
		{name: "an image a change set waiting to be executed names, by tag", in: prune.Input{StackName: "app", Keep: 1},
			setup: func(w *world) { w.changeSet(t, "approve-me", w.repoB+":world-v3") },
			wantA: tags("hello", 2, 5, 6), wantB: tags("world", 1, 3, 6),
			wantOut: []string{"in use: change set approve-me"}},
		{name: "a change set created while asking", in: prune.Input{StackName: "app", Keep: 1},
			confirm: func(w *world) bool { w.changeSet(t, "late", w.repoA+"@"+digest(4)); return true },
			wantA:   tags("hello", 2, 4, 5, 6), wantB: tags("world", 1, 6),
			wantOut: []string{"in use since it was listed, by change set late"}},
		{name: "images pushed within --min-age stay", in: prune.Input{StackName: "app", Keep: 0, MinAge: 2 * time.Hour, NoPrompts: true},
			setup: func(w *world) { w.now = time.Date(2026, 11, 30, 14, 30, 0, 0, time.UTC) }, // images 5 and 6 were pushed at 13:00 and 14:00
			wantA: tags("hello", 2, 5, 6), wantB: tags("world", 1, 5, 6),
			wantOut: []string{"keep    " + digest(15)[:19]}},
		{name: "--min-age 0 keeps nothing for its age, even by a clock behind the pushes", in: prune.Input{StackName: "app", Keep: 0, NoPrompts: true},
			setup: func(w *world) { w.now = time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC) },
			wantA: tags("hello", 2, 5, 6), wantB: tags("world", 1)},
		{name: "a deploy adding a function while prune reads again", in: prune.Input{StackName: "app", Keep: 1},
			setup: func(w *world) {
				lists := 0
				w.cfn.Before = func(op string) {
					if op != "ListChangeSets "+w.app.ID {
						return
					}
					if lists++; lists == 2 { // reread's: the change set executes right after
						w.app.Resources["NewFunction"] = "app-New"
						w.app.Changed = w.app.Changed.Add(time.Minute)
						w.fns.mu.Lock()
						w.fns.runs["app-New"] = map[string]string{"$LATEST": w.repoB + "@" + digest(13)}
						w.fns.mu.Unlock()
					}
				}
			},
			wantA: tags("hello", 2, 5, 6), wantB: tags("world", 1, 3, 6),
			wantOut: []string{"in use since it was listed, by app-New:$LATEST"}},
		{name: "an empty repository and a missing one", in: prune.Input{StackName: "app", Keep: 1, NoPrompts: true},
			setup: func(w *world) {
				w.ecr.Repos[w.repoA] = []ecrfake.Image{}
				delete(w.ecr.Repos, w.repoB)
			},
			wantOut: []string{"apihellofunction8f88c8f1repo: no images", "worldfunction78a6a9ecrepo (does not exist)", "Nothing to prune"}},
		{name: "an image an image index refers to", in: prune.Input{StackName: "app", Keep: 1, NoPrompts: true},
			setup: func(w *world) { w.ecr.Referenced = map[string]bool{digest(13): true} },
			wantA: tags("hello", 2, 5, 6), wantB: tags("world", 1, 3, 6),
			wantOut: []string{"Kept appd2a57dc1/worldfunction78a6a9ecrepo@" + digest(13)[:19] + ": an image index still refers to it", "Deleted 7 images"}},
		{name: "stack being updated", in: prune.Input{StackName: "app", Keep: 1}, setup: func(w *world) { w.app.Status = "UPDATE_IN_PROGRESS" },
			wantA: allA, wantB: allB, wantErr: "prune stack app: app is UPDATE_IN_PROGRESS; prune when it is done"},
		{name: "companion stack being updated", in: prune.Input{StackName: "app", Keep: 1},
			setup: func(w *world) { w.cfn.Stacks[companion.StackName("app")].Status = "UPDATE_IN_PROGRESS" },
			wantA: allA, wantB: allB, wantErr: "prune stack app: app-d2a57dc1-CompanionStack is UPDATE_IN_PROGRESS; prune when it is done"},
		{name: "no such stack", in: prune.Input{StackName: "nope", Keep: 1},
			wantA: allA, wantB: allB, wantErr: "prune stack nope: the stack does not exist in us-east-1"},
		{name: "no companion stack", in: prune.Input{StackName: "app", Keep: 1}, setup: func(w *world) { delete(w.cfn.Stacks, companion.StackName("app")) },
			wantA: allA, wantB: allB, wantOut: []string{"has no managed image repositories"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			if tt.setup != nil {
				tt.setup(w)
			}
			var out bytes.Buffer
			var confirm func() bool
			if tt.confirm != nil {
				confirm = func() bool { return tt.confirm(w) }
			}
			_, err := prune.Run(context.Background(), tt.in, w.env(&out, confirm))
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.HasPrefix(err.Error(), tt.wantErr)) {
				t.Fatalf("Run = %v, want %q", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.wantA, w.left(w.repoA)); diff != "" {
				t.Errorf("%s keeps (-want +got):\n%s", w.repoA, diff)
			}
			if diff := cmp.Diff(tt.wantB, w.left(w.repoB)); diff != "" {
				t.Errorf("%s keeps (-want +got):\n%s", w.repoB, diff)
			}
			for _, want := range tt.wantOut {
				if !strings.Contains(out.String(), want) {
					t.Errorf("output lacks %q:\n%s", want, out.String())
				}
			}
		})
	}
}

func tags(prefix string, nums ...int) []string {
	var out []string
	for _, i := range nums {
		out = append(out, fmt.Sprintf("%s-v%d", prefix, i))
	}
	return out
}

var (
	allA = tags("hello", 1, 2, 3, 4, 5, 6)
	allB = append(tags("world", 1, 2, 3, 4, 5, 6), "untagged")
)

// TestPruneListing: what prune shows before it asks, and that a second run finds nothing.
func TestPruneListing(t *testing.T) {
	w := newWorld(t)
	var out bytes.Buffer
	if _, err := prune.Run(context.Background(), prune.Input{StackName: "app", Keep: 2, NoPrompts: true}, w.env(&out, nil)); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "testdata/listing.golden", out.Bytes())
	out.Reset()
	w.ecr.Calls = nil
	if _, err := prune.Run(context.Background(), prune.Input{StackName: "app", Keep: 2, NoPrompts: true}, w.env(&out, nil)); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "Nothing to prune") {
		t.Errorf("a second run:\n%s", out.String())
	}
	for _, c := range w.ecr.Calls {
		if strings.HasPrefix(c, "BatchDeleteImage") {
			t.Errorf("a second run deleted: %v", w.ecr.Calls)
		}
	}
}
