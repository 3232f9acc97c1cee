package sync

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sort"
	gosync "sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/samship/samship/internal/cfn"
	"github.com/samship/samship/internal/images"
	"github.com/samship/samship/internal/lambda"
	"github.com/samship/samship/internal/template"
	"github.com/samship/samship/internal/watch"
)

const repo = "123456789012.dkr.ecr.us-east-1.amazonaws.com/app/helloworldfunction1234repo"

// fakes of the stack, Lambda and the image stage, recording the writes.
type fakes struct {
	mu       gosync.Mutex
	running  map[string]string // function name → image it runs
	digests  map[string]string // function full path → digest of its built image
	pushed   []string          // function full paths pushed
	set      []string          // "name image"
	aliases  []string          // "name alias"
	only     []string
	resource []cfn.Resource
	nested   map[string][]cfn.Resource // by nested stack id
	engine   bool                      // digests are known only once pushed, as an engine's images
	fail     string                    // a function name whose update fails once
}

func (f *fakes) Resources(_ context.Context, stack string) ([]cfn.Resource, error) {
	if rs, ok := f.nested[stack]; ok {
		return rs, nil
	}
	return f.resource, nil
}
func (f *fakes) Latest(_ context.Context, name string) (*lambda.Use, string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return &lambda.Use{Qualifier: "$LATEST", Image: f.running[name]}, "", nil
}
func (f *fakes) SetImage(_ context.Context, name, image string) (lambda.Updated, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if name == f.fail {
		f.fail = ""
		return lambda.Updated{}, errors.New("update function " + name + ": throttled")
	}
	f.set = append(f.set, name+" "+image)
	sort.Strings(f.set)
	f.running[name] = image
	return lambda.Updated{CodeSha256: "x", RevisionID: "r"}, nil
}
func (f *fakes) PublishAlias(_ context.Context, name, alias string, _ lambda.Updated) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.aliases = append(f.aliases, name+" "+alias)
	return "7", nil
}
func (f *fakes) Open(context.Context, []template.Function) error { return nil }
func (f *fakes) Digest(fp string) (string, bool) {
	if f.engine {
		return "", false
	}
	d, ok := f.digests[fp]
	return d, ok
}
func (f *fakes) Only(fps []string) { f.only = fps }
func (f *fakes) Push(_ context.Context, repos map[string]string, _ map[string]bool) ([]images.Pushed, error) {
	var out []images.Pushed
	for _, fp := range f.only {
		f.pushed = append(f.pushed, fp)
		out = append(out, images.Pushed{Function: fp, Ref: repos[fp] + ":tag", Digest: f.digests[fp], Pushed: true})
	}
	return out, nil
}
func (f *fakes) Close() {}

type report struct{ synced []Function }

func (r *report) SyncStarted(string, []string) {}
func (r *report) FunctionSynced(f Function)    { r.synced = append(r.synced, f) }

const twoFunctions = `Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    AutoPublishAlias: live
Resources:
  ReaderFunction:
    Type: AWS::Serverless::Function
    Properties: {PackageType: Image, ImageUri: app}
  WriterFunction:
    Type: AWS::Serverless::Function
    Properties: {PackageType: Image, ImageUri: app, AutoPublishAlias: null}
`

func TestRun(t *testing.T) {
	const old, new = "sha256:1111111111111111111111111111111111111111111111111111111111111111", "sha256:2222222222222222222222222222222222222222222222222222222222222222"
	tests := map[string]struct {
		engine     bool
		only       []string
		digests    map[string]string
		wantSet    []string
		wantAlias  []string
		wantPushed int
	}{
		"unchanged: no write": {digests: map[string]string{"ReaderFunction": old, "WriterFunction": old}},
		"one image for both": {digests: map[string]string{"ReaderFunction": new, "WriterFunction": new},
			wantSet: []string{"reader-fn " + repo + "@" + new, "writer-fn " + repo + "@" + new}, wantAlias: []string{"reader-fn live"}, wantPushed: 1},
		"only the changed one": {digests: map[string]string{"ReaderFunction": old, "WriterFunction": new},
			wantSet: []string{"writer-fn " + repo + "@" + new}, wantPushed: 1},
		"engine images: pushed, then only the changed one set": {engine: true, digests: map[string]string{"ReaderFunction": old, "WriterFunction": new},
			wantSet: []string{"writer-fn " + repo + "@" + new}, wantPushed: 2},
		"only the one named": {only: []string{"WriterFunction"}, digests: map[string]string{"ReaderFunction": new, "WriterFunction": new},
			wantSet: []string{"writer-fn " + repo + "@" + new}, wantPushed: 1},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			os.WriteFile(filepath.Join(dir, "template.yaml"), []byte(twoFunctions), 0o644)
			os.MkdirAll(filepath.Join(dir, "app"), 0o755)
			f := &fakes{engine: tc.engine, running: map[string]string{"reader-fn": repo + "@" + old, "writer-fn": repo + "@" + old}, digests: tc.digests,
				resource: []cfn.Resource{{LogicalID: "ReaderFunction", Type: "AWS::Lambda::Function", PhysicalID: "reader-fn"},
					{LogicalID: "WriterFunction", Type: "AWS::Lambda::Function", PhysicalID: "writer-fn"}}}
			r := &report{}
			res, err := Run(context.Background(), Options{StackName: "app", Template: filepath.Join(dir, "template.yaml"), Functions: tc.only},
				Deps{Stacks: f, Functions: f, NewStage: func() Stage { return f }, Report: r, Now: time.Now})
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.wantSet, f.set); d != "" {
				t.Errorf("SetImage calls (-want +got):\n%s", d)
			}
			if d := cmp.Diff(tc.wantAlias, f.aliases); d != "" {
				t.Errorf("aliases moved (-want +got):\n%s", d)
			}
			n := 2
			if tc.only != nil {
				n = len(tc.only)
			}
			if res.Pushed != tc.wantPushed || len(res.Functions) != n || len(r.synced) != n {
				t.Errorf("pushed %d images, %d functions in the result, %d reported; want %d, %d, %d", res.Pushed, len(res.Functions), len(r.synced), tc.wantPushed, n, n)
			}
		})
	}
}

// A function of a nested stack is found through the stack's resource for it, and named by
// its full path.
func TestRunNested(t *testing.T) {
	const old, new = "sha256:1111111111111111111111111111111111111111111111111111111111111111", "sha256:2222222222222222222222222222222222222222222222222222222222222222"
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "template.yaml"), []byte(`Transform: AWS::Serverless-2016-10-31
Resources:
  ReaderFunction:
    Type: AWS::Serverless::Function
    Properties: {PackageType: Image, ImageUri: app}
  Child:
    Type: AWS::Serverless::Application
    Properties: {Location: child.yaml}
`), 0o644)
	os.WriteFile(filepath.Join(dir, "child.yaml"), []byte(`Transform: AWS::Serverless-2016-10-31
Resources:
  ReaderFunction:
    Type: AWS::Serverless::Function
    Properties: {PackageType: Image, ImageUri: app}
`), 0o644)
	f := &fakes{running: map[string]string{"reader-fn": repo + "@" + old, "child-reader-fn": repo + "@" + old},
		digests: map[string]string{"ReaderFunction": old, "Child/ReaderFunction": new},
		resource: []cfn.Resource{{LogicalID: "ReaderFunction", Type: "AWS::Lambda::Function", PhysicalID: "reader-fn"},
			{LogicalID: "Child", Type: "AWS::CloudFormation::Stack", PhysicalID: "arn:child"}},
		nested: map[string][]cfn.Resource{"arn:child": {{LogicalID: "ReaderFunction", Type: "AWS::Lambda::Function", PhysicalID: "child-reader-fn"}}}}
	r := &report{}
	res, err := Run(context.Background(), Options{StackName: "app", Template: filepath.Join(dir, "template.yaml")},
		Deps{Stacks: f, Functions: f, NewStage: func() Stage { return f }, Report: r, Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]string{"child-reader-fn " + repo + "@" + new}, f.set); d != "" {
		t.Errorf("SetImage calls (-want +got):\n%s", d)
	}
	if len(res.Functions) != 2 || res.Functions[0].LogicalID != "Child/ReaderFunction" || !res.Functions[0].Changed || res.Functions[1].Changed {
		t.Errorf("result %+v, want Child/ReaderFunction changed and ReaderFunction not", res.Functions)
	}

	// Named by its full path, alone; a nested stack not deployed yet is said so.
	f.set = nil
	if _, err := Run(context.Background(), Options{StackName: "app", Template: filepath.Join(dir, "template.yaml"), Functions: []string{"Child/ReaderFunction"}},
		Deps{Stacks: f, Functions: f, NewStage: func() Stage { return f }, Report: r, Now: time.Now}); err != nil {
		t.Fatal(err)
	}
	f.resource = f.resource[:1]
	_, err = Run(context.Background(), Options{StackName: "app", Template: filepath.Join(dir, "template.yaml")},
		Deps{Stacks: f, Functions: f, NewStage: func() Stage { return f }, Report: r, Now: time.Now})
	if !errors.Is(err, ErrNotDeployed) || err.Error() != "nested stack Child is not deployed in stack app: run samship deploy to create it" {
		t.Errorf("Run without the nested stack = %v", err)
	}
}

func TestRunNotDeployed(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "template.yaml"), []byte(twoFunctions), 0o644)
	f := &fakes{resource: []cfn.Resource{{LogicalID: "ReaderFunction", Type: "AWS::Lambda::Function", PhysicalID: "reader-fn"}}}
	_, err := Run(context.Background(), Options{StackName: "app", Template: filepath.Join(dir, "template.yaml")},
		Deps{Stacks: f, Functions: f, NewStage: func() Stage { return f }, Report: &report{}, Now: time.Now})
	if !errors.Is(err, ErrNotDeployed) || err.Error() != "function WriterFunction is not deployed in stack app: run samship deploy to create it" {
		t.Errorf("Run = %v, want WriterFunction not deployed", err)
	}
	if len(f.set) != 0 {
		t.Errorf("functions set: %q", f.set)
	}
}

// A watch runs one sync per batch, with the functions of the roots that changed; a failed
// round is reported and the next batch runs; a batch that is a walk error runs nothing.
func TestWatch(t *testing.T) {
	changes := make(chan watch.Change, 4)
	t0 := time.Unix(1000, 0)
	changes <- watch.Change{Keys: []string{"/app/hello"}, First: t0}
	changes <- watch.Change{Keys: []string{"/app/shared", "/app/hello"}, First: t0.Add(time.Second)}
	changes <- watch.Change{Keys: []string{"/app/shared"}, First: t0.Add(2 * time.Second), Err: errors.New("gone")}
	changes <- watch.Change{Keys: []string{"/elsewhere"}, First: t0.Add(3 * time.Second)}
	close(changes)
	byKey := map[string][]string{"/app/hello": {"HelloFunction"}, "/app/shared": {"ReaderFunction", "WriterFunction"}}
	var ran [][]string
	var rounds []Round
	err := Watch(context.Background(), changes, byKey, func() time.Time { return t0.Add(5 * time.Second) },
		func(_ context.Context, fns []string) error {
			ran = append(ran, fns)
			if len(ran) == 1 {
				return errors.New("build failed")
			}
			return nil
		}, func(r Round) { rounds = append(rounds, r) })
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"HelloFunction"}, {"HelloFunction", "ReaderFunction", "WriterFunction"}}
	if d := cmp.Diff(want, ran); d != "" {
		t.Errorf("syncs run (-want +got):\n%s", d)
	}
	if len(rounds) != 3 || rounds[0].Err == nil || rounds[1].Err != nil || rounds[2].Err == nil || rounds[1].Serving.Sub(rounds[1].Saved) != 4*time.Second {
		t.Errorf("rounds = %+v; want a failed one, one serving 4 s after its save, and the walk error", rounds)
	}
}

// An update that fails part-way fails the sync naming the function; the rerun sets only what
// is still behind.
func TestRunFailsThenConverges(t *testing.T) {
	const old, new = "sha256:1111111111111111111111111111111111111111111111111111111111111111", "sha256:2222222222222222222222222222222222222222222222222222222222222222"
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "template.yaml"), []byte(twoFunctions), 0o644)
	f := &fakes{fail: "writer-fn", running: map[string]string{"reader-fn": repo + "@" + old, "writer-fn": repo + "@" + old},
		digests: map[string]string{"ReaderFunction": new, "WriterFunction": new},
		resource: []cfn.Resource{{LogicalID: "ReaderFunction", Type: "AWS::Lambda::Function", PhysicalID: "reader-fn"},
			{LogicalID: "WriterFunction", Type: "AWS::Lambda::Function", PhysicalID: "writer-fn"}}}
	deps := Deps{Stacks: f, Functions: f, NewStage: func() Stage { return f }, Report: &report{}, Now: time.Now}
	opts := Options{StackName: "app", Template: filepath.Join(dir, "template.yaml")}
	if _, err := Run(context.Background(), opts, deps); err == nil || err.Error() != "function WriterFunction: update function writer-fn: throttled" {
		t.Fatalf("Run = %v, want WriterFunction's update failure", err)
	}
	f.set = nil
	res, err := Run(context.Background(), opts, deps)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]string{"writer-fn " + repo + "@" + new}, f.set); d != "" {
		t.Errorf("the rerun set (-want +got):\n%s", d)
	}
	if res.Functions[0].Changed || !res.Functions[1].Changed {
		t.Errorf("rerun result %+v: want ReaderFunction unchanged, WriterFunction set", res.Functions)
	}
}
