package registry

import (
	"archive/tar"
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	ggcr "github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/samship/samship/internal/testenv"
)

func TestTag(t *testing.T) {
	tests := map[string]struct{ name, tag, id, want string }{
		"sam vector":         {"helloworld", "v1", "sha256:1234", "helloworld-1234-v1"},
		"sam vector latest":  {"helloworld", "latest", "sha256:1234", "helloworld-1234-latest"},
		"twelve hex":         {"helloworldfunction", "python3.9-v1", "sha256:0123456789abcdef", "helloworldfunction-0123456789ab-python3.9-v1"},
		"nested path":        {samName("Child/Fn"), "latest", "sha256:ab", "Child-Fn-ab-latest"},
		"invalid characters": {"a b", "t", "sha256:ab", "a-b-ab-t"},
		"at most 128":        {strings.Repeat("n", 200), "t", "sha256:ab", strings.Repeat("n", 128)},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := Tag(tc.name, tc.tag, tc.id); got != tc.want {
				t.Errorf("Tag(%q, %q, %q) = %q, want %q", tc.name, tc.tag, tc.id, got, tc.want)
			}
		})
	}
}

// sources writes one image as an OCI layout, a docker archive and an OCI archive.
func sources(t *testing.T, img v1.Image) (dir string) {
	t.Helper()
	dir = t.TempDir()
	p, err := layout.Write(filepath.Join(dir, "layout"), empty.Index)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.AppendImage(img); err != nil {
		t.Fatal(err)
	}
	if err := tarball.WriteToFile(filepath.Join(dir, "docker.tar"), name.MustParseReference("fn:v1"), img); err != nil {
		t.Fatal(err)
	}
	out, _ := os.Create(filepath.Join(dir, "oci.tar"))
	tw := tar.NewWriter(out)
	filepath.Walk(filepath.Join(dir, "layout"), func(path string, fi os.FileInfo, err error) error {
		rel, _ := filepath.Rel(filepath.Join(dir, "layout"), path)
		if fi.IsDir() || err != nil {
			return err
		}
		tw.WriteHeader(&tar.Header{Name: rel, Mode: 0o644, Size: fi.Size(), Typeflag: tar.TypeReg})
		f, _ := os.Open(path)
		io.Copy(tw, f)
		f.Close()
		return nil
	})
	tw.Close()
	out.Close()
	return dir
}

func TestOpen(t *testing.T) {
	img, err := random.Image(1024, 2)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := img.ConfigName()
	dir := sources(t, img)
	o := &Opener{Dir: dir, Scratch: NewScratch(t.TempDir())}
	// A docker-archive gets SAM CLI's tag, after the function (its RepoTags tag fn:v1 plays no
	// part); an OCI layout or archive the build name and the tag its ref name or DockerTag gives.
	tests := map[string]struct {
		src, dockerTag, wantName, wantTag string
	}{
		"layout":                 {"layout", "", "fn", "latest"},
		"layout with DockerTag":  {"layout", "v2", "fn", "v2"},
		"oci archive":            {"oci.tar", "", "fn", "latest"},
		"docker archive":         {"docker.tar", "", "Child-Fn", "latest"},
		"docker archive ignores": {"docker.tar", "v2", "Child-Fn", "latest"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := o.Open(context.Background(), tc.src, "Child/Fn", "")
			if err != nil {
				t.Fatalf("Open(%s) = %v", tc.src, err)
			}
			if got.ID != want.String() {
				t.Errorf("Open(%s).ID = %s, want %s", tc.src, got.ID, want)
			}
			if tag := got.TagFor("Child/Fn", "fn", tc.dockerTag); tag != Tag(tc.wantName, tc.wantTag, want.String()) {
				t.Errorf("TagFor(Child/Fn, fn, %q) = %s, want %s", tc.dockerTag, tag, Tag(tc.wantName, tc.wantTag, want.String()))
			}
		})
	}
	if _, err := o.Open(context.Background(), "hellofunction:python3.12-v1", "Fn", ""); err == nil || !strings.Contains(err.Error(), "no Docker or Podman engine is reachable (set DOCKER_HOST)") {
		t.Errorf("Open(local name) error = %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "bad.tar"), []byte("not a tar"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := o.Open(context.Background(), "bad.tar", "Fn", ""); err == nil || !strings.HasPrefix(err.Error(), "function Fn: read image bad.tar: ") {
		t.Errorf("Open(bad.tar) error = %v", err)
	}
}

type fakeToken struct{ calls int }

func (f *fakeToken) Credentials(context.Context) (string, string, error) {
	f.calls++
	return "AWS", "secret", nil
}

// counting wraps the in-memory registry and counts blob uploads, mounts and manifest puts.
type counting struct {
	h                     http.Handler
	mu                    sync.Mutex
	uploads, mounts, puts int
	requests, pings       int
	sawAuth               bool
}

func (c *counting) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.mu.Lock()
	if r.URL.Path != "/v2/" {
		c.requests++
	} else {
		c.pings++
	}
	switch {
	case r.Method == http.MethodPost && r.URL.Query().Get("mount") != "":
		c.mounts++
	case r.Method == http.MethodPatch || (r.Method == http.MethodPut && strings.Contains(r.URL.Path, "/blobs/uploads/")): // one per upload, or a PATCH and a PUT
		c.uploads++
	case r.Method == http.MethodPut && strings.Contains(r.URL.Path, "/manifests/"):
		c.puts++
	}
	if u, p, ok := r.BasicAuth(); ok && u == "AWS" && p == "secret" {
		c.sawAuth = true
	}
	c.mu.Unlock()
	c.h.ServeHTTP(w, r)
}

// countingRegistry serves an in-memory registry for the test and returns it with a transport
// that sends ECR hosts' requests there.
func countingRegistry(t *testing.T) (*counting, http.RoundTripper) {
	t.Helper()
	reg := &counting{h: ggcr.New(ggcr.Logger(log.New(io.Discard, "", 0)))}
	srv := httptest.NewServer(reg)
	t.Cleanup(srv.Close)
	rt, err := Redirect(http.DefaultTransport, srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	return reg, rt
}

func TestPushAll(t *testing.T) {
	reg, rt := countingRegistry(t)
	tokens := &fakeToken{}
	ctx := context.Background()
	p := &Pusher{Access: Access{Transport: rt, Keychain: NewKeychain(tokens)}, Jobs: 4}
	img, _ := random.Image(2048, 3)
	o := &Opener{Dir: sources(t, img), Scratch: NewScratch(t.TempDir())}
	a, err := o.Open(context.Background(), "docker.tar", "A", "")
	if err != nil {
		t.Fatal(err)
	}
	const host = "123456789012.dkr.ecr.us-east-1.amazonaws.com"
	jobs := []Job{{Function: "A", Image: a, Repo: host + "/app/a"}, {Function: "B", Image: a, Repo: host + "/app/b"}}

	res, err := p.PushAll(ctx, jobs)
	if err != nil {
		t.Fatalf("PushAll() = %v", err)
	}
	tag := Tag("A", "latest", a.ID)
	if res[0].Ref != host+"/app/a:"+tag || res[1].Ref != host+"/app/b:"+Tag("B", "latest", a.ID) || !res[0].Pushed || !res[1].Pushed {
		t.Errorf("PushAll() = %+v", res)
	}
	if !reg.sawAuth || tokens.calls != 1 {
		t.Errorf("ECR credentials: sent %v, token calls %d, want sent and 1 call", reg.sawAuth, tokens.calls)
	}
	// 3 layers and a config, each uploaded once (an upload is one PUT). This registry does
	// not mount but keeps blobs across repositories, so B finds what A sent; once a mount is
	// refused, though, pushes to such a registry send blobs themselves without waiting for
	// each other (as ECR without mounting needs), so a blob still in flight for A may be sent
	// for B too: at most each blob once per repository.
	if reg.uploads < 4 || reg.uploads > 8 {
		t.Errorf("first push: %d upload requests, want each of the 4 blobs uploaded once, or once per repository", reg.uploads)
	}

	type snapshot struct{ uploads, puts, requests int }
	reg.mu.Lock()
	before := snapshot{reg.uploads, reg.puts, reg.requests}
	reg.mu.Unlock()
	res, err = p.PushAll(ctx, jobs)
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Pushed || res[1].Pushed || reg.uploads != before.uploads || reg.puts != before.puts {
		t.Errorf("unchanged push: %+v, %d new uploads, %d new manifests; want nothing sent", res, reg.uploads-before.uploads, reg.puts-before.puts)
	}
	if n := reg.requests - before.requests; n != len(jobs) {
		t.Errorf("unchanged push made %d registry requests (besides the ping), want one per image (%d)", n, len(jobs))
	}
}

func TestRedirectRejectsBadEndpoint(t *testing.T) {
	for _, e := range []string{"127.0.0.1:5000", "ftp://x", "http://"} {
		if _, err := Redirect(http.DefaultTransport, e); err == nil {
			t.Errorf("Redirect(%q) = nil error", e)
		}
	}
}

// TestPushToDistributionRegistry pushes one image to two repositories of Debian's
// docker-registry, which keeps blobs per repository: the second repository mounts the layers
// from the first instead of receiving them again.
func TestPushToDistributionRegistry(t *testing.T) {
	p, proxy, srv := distribution(t)
	a := pushToTwoRepos(t, p, 4096)
	if proxy.mounts != 3 || proxy.uploads != 3 {
		t.Errorf("%d mounts and %d upload requests; want the 3 blobs uploaded once and mounted into the second repository", proxy.mounts, proxy.uploads)
	}
	ref, err := name.ParseReference(strings.TrimPrefix(srv.URL, "http://") + "/app/b:" + a.TagFor("B", "B", ""))
	if err != nil {
		t.Fatal(err)
	}
	got, err := remote.Image(ref)
	if err != nil {
		t.Fatalf("read pushed image: %v", err)
	}
	if d1, _ := got.Digest(); d1 != mustDigest(t, a) {
		t.Errorf("pushed digest %s, want %s", d1, mustDigest(t, a))
	}
}

func mustDigest(t *testing.T, img v1.Image) v1.Hash {
	d, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestSharedBaseLayerIsUploadedOnce pushes three images that share a base layer to three new
// repositories of Debian's docker-registry at once: the base goes up once and is mounted twice
// (the pushes that need it wait for it), and nothing is looked up.
func TestSharedBaseLayerIsUploadedOnce(t *testing.T) {
	p, proxy, _ := distribution(t)
	ctx := context.Background()
	base, _ := random.Layer(64<<10, types.DockerLayer)
	const host = "123456789012.dkr.ecr.us-east-1.amazonaws.com"
	var jobs []Job
	for _, fn := range []string{"A", "B", "C"} {
		own, _ := random.Layer(1024, types.DockerLayer)
		img, err := mutate.AppendLayers(empty.Image, base, own)
		if err != nil {
			t.Fatal(err)
		}
		id, _ := img.ConfigName()
		jobs = append(jobs, Job{Function: fn, Image: &Image{Image: img, Source: fn, Tag: "latest", ID: id.String()}, Repo: host + "/app/" + strings.ToLower(fn), Empty: true})
	}
	if _, err := p.PushAll(ctx, jobs); err != nil {
		t.Fatalf("PushAll() = %v", err)
	}
	// Blobs: one base, three own layers, three configs: 7 uploads of one request each.
	if proxy.uploads != 7 || proxy.mounts != 2 {
		t.Errorf("%d upload requests and %d mounts; want 7 (7 blobs once each) and the base mounted twice", proxy.uploads, proxy.mounts)
	}
	// The repositories are new (Empty): nothing is looked up. Each upload is a POST and a
	// PUT, each mount a POST, each image a manifest PUT: 7×2 + 2 + 3.
	if proxy.requests != 7*2+2+3 {
		t.Errorf("%d registry requests, want %d: no lookups in new repositories", proxy.requests, 7*2+2+3)
	}
}

// A redeploy of an image three functions share, whose base every repository holds since the
// last push: the new blobs are sent once and mounted into the other repositories; the base is
// looked up in each (a read), never mounted (a write).
func TestRedeployLooksUpOldBlobsBeforeMounting(t *testing.T) {
	p, proxy, _ := distribution(t)
	ctx := context.Background()
	base, _ := random.Layer(64<<10, types.DockerLayer)
	const host = "123456789012.dkr.ecr.us-east-1.amazonaws.com"
	push := func(fresh bool) {
		t.Helper()
		code, _ := random.Layer(1024, types.DockerLayer)
		img, err := mutate.AppendLayers(empty.Image, base, code)
		if err != nil {
			t.Fatal(err)
		}
		id, _ := img.ConfigName()
		shared := &Image{Image: img, Source: "app", Tag: "latest", ID: id.String()}
		var jobs []Job
		for _, fn := range []string{"A", "B", "C"} {
			jobs = append(jobs, Job{Function: fn, Image: shared, Repo: host + "/app/" + strings.ToLower(fn), Empty: fresh})
		}
		if _, err := p.PushAll(ctx, jobs); err != nil {
			t.Fatalf("PushAll() = %v", err)
		}
	}
	push(true)
	proxy.mu.Lock()
	proxy.uploads, proxy.mounts = 0, 0
	proxy.mu.Unlock()
	push(false)
	// The code layer and the config: uploaded once each, mounted into the other two.
	if proxy.uploads != 2 || proxy.mounts != 4 {
		t.Errorf("redeploy: %d uploads and %d mounts, want 2 (the new blobs) and 4 (into the other two repositories; the base looked up, not mounted)", proxy.uploads, proxy.mounts)
	}
}

// recorder is a Reporter that keeps what it hears.
type recorder struct {
	mu   sync.Mutex
	sent atomic.Int64
	read atomic.Int64 // from engines
	// compressed counts the bytes of engine layers compressed.
	compressed atomic.Int64
	repos      []string
	failed     []bool
	results    []string
}

func (r *recorder) Sending(repo string, _ int64) Upload {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.repos = append(r.repos, repo)
	return &recordedUpload{r: r}
}

func (r *recorder) Reading([]string, int64) Read { return &recordedUpload{r: r, reading: true} }

func (r *recorder) Result(function, _, ref, _ string, pushed bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.results = append(r.results, fmt.Sprintf("%s %s %v", function, ref, pushed))
}

type recordedUpload struct {
	r       *recorder
	reading bool
}

func (u *recordedUpload) Add(n int64) {
	if u.reading {
		u.r.read.Add(n)
	} else {
		u.r.sent.Add(n)
	}
}

func (u *recordedUpload) Compressed(n int64) { u.r.compressed.Add(n) }

func (u *recordedUpload) Done(failed bool) {
	if u.reading {
		return
	}
	u.r.mu.Lock()
	defer u.r.mu.Unlock()
	u.r.failed = append(u.r.failed, failed)
}

// TestProgressAndRetries pushes through a registry that answers the first blob upload with
// 503: the push still succeeds (transient errors are retried), the bytes sent are counted,
// and the reporter hears the image's upload end and its result.
func TestProgressAndRetries(t *testing.T) {
	inner := ggcr.New(ggcr.Logger(log.New(io.Discard, "", 0)))
	var failures atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut && strings.Contains(r.URL.Path, "/blobs/uploads/") && failures.CompareAndSwap(0, 1) {
			io.Copy(io.Discard, r.Body)
			http.Error(w, "try again", http.StatusServiceUnavailable)
			return
		}
		inner.ServeHTTP(w, r)
	}))
	defer srv.Close()
	rt, _ := Redirect(http.DefaultTransport, srv.URL)
	rec := &recorder{}
	ctx := context.Background()
	p := &Pusher{Access: Access{Transport: rt, Keychain: NewKeychain(&fakeToken{})}, Report: rec, retryDelays: []time.Duration{time.Millisecond}}
	img, _ := random.Image(4096, 2)
	a, err := (&Opener{Dir: sources(t, img), Scratch: NewScratch(t.TempDir())}).Open(context.Background(), "layout", "A", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.PushAll(ctx, []Job{{Function: "A", Image: a, Repo: "123456789012.dkr.ecr.us-east-1.amazonaws.com/app/a"}}); err != nil {
		t.Fatalf("PushAll() through a flaky registry = %v", err)
	}
	if failures.Load() == 0 {
		t.Fatal("the registry never failed an upload: the test tests nothing")
	}
	m, _ := a.Manifest()
	if sent := rec.sent.Load(); sent < m.Layers[0].Size+m.Layers[1].Size {
		t.Errorf("sent %d bytes, want at least the layers' %d", sent, m.Layers[0].Size+m.Layers[1].Size)
	}
	if !slices.Equal(rec.repos, []string{"app/a"}) || !slices.Equal(rec.failed, []bool{false}) || len(rec.results) != 1 ||
		!strings.HasPrefix(rec.results[0], "A 123456789012.dkr.ecr.us-east-1.amazonaws.com/app/a:") || !strings.HasSuffix(rec.results[0], " true") {
		t.Errorf("heard uploads %v ending %v, results %v; want one upload to app/a, done, pushed", rec.repos, rec.failed, rec.results)
	}
}

// distribution starts Debian's docker-registry behind a counting proxy and returns a Pusher
// sending ECR registry traffic there.
func distribution(t *testing.T) (*Pusher, *counting, *httptest.Server) {
	t.Helper()
	testenv.Needs(t, "Debian's docker-registry")
	dr, err := testenv.StartRegistry()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(dr.Stop)
	u, _ := url.Parse(dr.URL)
	proxy := &counting{h: httputil.NewSingleHostReverseProxy(u)}
	srv := httptest.NewServer(proxy)
	t.Cleanup(srv.Close)
	rt, _ := Redirect(http.DefaultTransport, srv.URL)
	return &Pusher{Access: Access{Transport: rt, Keychain: NewKeychain(&fakeToken{})}}, proxy, srv
}
