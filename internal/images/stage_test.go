package images_test

import (
	"context"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/name"
	ggcr "github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/samship/samship/internal/ecr"
	"github.com/samship/samship/internal/ecr/ecrfake"
	"github.com/samship/samship/internal/images"
	"github.com/samship/samship/internal/registry"
	"github.com/samship/samship/internal/testenv"
)

const repo = "123456789012.dkr.ecr.us-east-1.amazonaws.com/app"

// recorder hears the pushes as a terminal would; results come from the pushes at once.
type recorder struct {
	mu        sync.Mutex
	functions []string
	atOnce    int
	results   []string
	done      bool
}

func (r *recorder) Pushes(functions []string, atOnce int, _ bool, _ func() time.Time) images.Pushes {
	r.functions, r.atOnce = functions, atOnce
	return r
}
func (r *recorder) Sending(string, int64) registry.Upload { return upload{} }
func (r *recorder) Reading([]string, int64) registry.Read { return upload{} }
func (r *recorder) Result(function, _, _, _ string, _ bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.results = append(r.results, function)
}
func (r *recorder) Done() { r.done = true }
func (r *recorder) Stop() {}

type upload struct{}

func (upload) Add(int64)        {}
func (upload) Compressed(int64) {}
func (upload) Done(bool)        {}

// TestStage takes two functions sharing one image through the stage: opened once, pushed as
// the references Refs planned, and found gone when another run deletes one of them.
func TestStage(t *testing.T) {
	var gone atomic.Bool // the registry has lost repository app/a's manifests
	h := ggcr.New(ggcr.Logger(log.New(io.Discard, "", 0)))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if gone.Load() && strings.Contains(r.URL.Path, "/app/a/manifests/") {
			http.Error(w, `{"errors":[{"code":"MANIFEST_UNKNOWN"}]}`, http.StatusNotFound)
			return
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	rt, err := registry.Redirect(http.DefaultTransport, srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := testenv.WriteImage(filepath.Join(dir, "img"), "oci-layout", 2048, 2); err != nil {
		t.Fatal(err)
	}
	fns := functions(t, dir, strings.ReplaceAll(imageFn("img"), "Fn", "A")+strings.ReplaceAll(imageFn("img"), "Fn", "B"))
	rec := &recorder{}
	s := &images.Stage{Access: registry.Access{Transport: rt, Keychain: registry.NewKeychain(ecr.New(ecrfake.New()))}, Report: rec}
	defer s.Close()
	ctx := context.Background()
	if err := s.Open(ctx, fns); err != nil {
		t.Fatalf("Open() = %v", err)
	}
	repos := map[string]string{"A": repo + "/a", "B": repo + "/b"}
	refs := s.Refs(repos)
	if len(refs) != 2 || !strings.HasPrefix(refs["A"], repo+"/a:a-") || !strings.HasPrefix(refs["B"], repo+"/b:b-") {
		t.Fatalf("Refs() = %v, want A's and B's in their repositories, with SAM's tags", refs)
	}
	pushed, err := s.Push(ctx, repos, map[string]bool{"B": true})
	if err != nil {
		t.Fatalf("Push() = %v", err)
	}
	digest := func(ref string) string { // what the registry says the tag names
		r, err := name.ParseReference(ref)
		if err != nil {
			t.Fatal(err)
		}
		d, err := remote.Head(r, remote.WithTransport(rt))
		if err != nil {
			t.Fatal(err)
		}
		return d.Digest.String()
	}
	want := []images.Pushed{{Function: "A", Source: "img", Ref: refs["A"], Digest: digest(refs["A"]), Pushed: true},
		{Function: "B", Source: "img", Ref: refs["B"], Digest: digest(refs["B"]), Pushed: true}}
	if d := cmp.Diff(want, pushed); d != "" {
		t.Errorf("Push() (-want +got):\n%s", d)
	}
	if !rec.done || rec.atOnce != 8 || strings.Join(rec.functions, " ") != "A B" || len(rec.results) != 2 {
		t.Errorf("reported pushes of %v, %d at once, results %v, done %v; want A B, 8, two, done", rec.functions, rec.atOnce, rec.results, rec.done)
	}
	if fns, missing, err := s.Missing(ctx, refs); err != nil || len(fns) != 0 || len(missing) != 0 {
		t.Errorf("Missing() = %v, %v, %v, want none", fns, missing, err)
	}
	gone.Store(true)
	fnsGone, missing, err := s.Missing(ctx, refs)
	if err != nil || strings.Join(fnsGone, " ") != "A" || strings.Join(missing, " ") != refs["A"] {
		t.Errorf("Missing() = %v, %v, %v, want A's image %s", fnsGone, missing, err, refs["A"])
	}
}

// TestOpenBroken: a layout whose blob does not hash to its digest stops the stage at Open,
// naming where the function is.
func TestOpenBroken(t *testing.T) {
	dir := t.TempDir()
	if err := testenv.WriteImage(filepath.Join(dir, "img"), "oci-layout", 2048, 1); err != nil {
		t.Fatal(err)
	}
	blobs, err := filepath.Glob(filepath.Join(dir, "img", "blobs", "sha256", "*"))
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range blobs {
		if fi, err := os.Stat(b); err == nil && fi.Size() > 900 {
			os.WriteFile(b, []byte("spoiled"), 0o644)
		}
	}
	s := &images.Stage{}
	defer s.Close()
	err = s.Open(context.Background(), functions(t, dir, imageFn("img")))
	if want := filepath.Join(dir, "t.yaml") + ":2: function Fn: image img is broken: layer sha256:"; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("Open() = %v, want %q…", err, want)
	}
}
