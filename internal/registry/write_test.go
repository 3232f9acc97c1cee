package registry

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	ggcr "github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/random"
)

// TestPushProtocol pushes one image to two repositories of registries that mount, do not
// mount, or answer a mount with an error: every push lands, the registry is pinged once, and
// no blob is sent twice where the registry already holds it.
func TestPushProtocol(t *testing.T) {
	for _, tc := range []struct {
		name        string
		mountStatus int // 0: the in-memory registry's own answer (it starts an upload)
		wantUploads int
	}{
		{name: "mount answered with an upload", wantUploads: 3},
		{name: "mount answered with not found", mountStatus: http.StatusNotFound, wantUploads: 3},
		{name: "mount answered with forbidden", mountStatus: http.StatusForbidden, wantUploads: 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inner := ggcr.New(ggcr.Logger(log.New(io.Discard, "", 0)))
			reg := &counting{h: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tc.mountStatus != 0 && r.Method == http.MethodPost && r.URL.Query().Get("mount") != "" {
					http.Error(w, "no", tc.mountStatus)
					return
				}
				inner.ServeHTTP(w, r)
			})}
			pushToTwoRepos(t, through(t, reg), 1024)
			if reg.pings != 1 {
				t.Errorf("%d pings, want 1 for the registry", reg.pings)
			}
			if reg.mounts == 0 {
				t.Error("no mount asked: the second repository should try to mount from the first")
			}
			// This registry keeps blobs across repositories: the second repository finds them.
			if reg.uploads != tc.wantUploads {
				t.Errorf("%d uploads, want %d", reg.uploads, tc.wantUploads)
			}
		})
	}
}

func TestUploadLocation(t *testing.T) {
	for _, tc := range []struct {
		name, request, location, want, err string
	}{
		{name: "relative", request: "https://r.example/v2/a/blobs/uploads/", location: "/v2/a/blobs/uploads/1?s=x", want: "https://r.example/v2/a/blobs/uploads/1?s=x"},
		{name: "same loopback host", request: "http://127.0.0.1:5000/v2/a/blobs/uploads/", location: "http://127.0.0.1:5000/up/1", want: "http://127.0.0.1:5000/up/1"},
		{name: "object storage", request: "https://r.example/v2/a/blobs/uploads/", location: "https://bucket.s3.example/up?sig=1", want: "https://bucket.s3.example/up?sig=1"},
		{name: "private address", request: "https://r.example/v2/a/blobs/uploads/", location: "http://10.0.0.5/up", err: "start upload: the registry sent the upload to private address 10.0.0.5"},
		{name: "loopback elsewhere", request: "https://r.example/v2/a/blobs/uploads/", location: "http://127.0.0.1:9/up", err: "start upload: the registry sent the upload to private address 127.0.0.1"},
		{name: "link-local", request: "https://r.example/v2/a/blobs/uploads/", location: "http://169.254.169.254/latest", err: "start upload: the registry sent the upload to private address 169.254.169.254"},
		{name: "missing", request: "https://r.example/v2/a/blobs/uploads/", err: "start upload: the registry sent no Location"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u, _ := url.Parse(tc.request)
			resp := &http.Response{Header: http.Header{}, Request: &http.Request{URL: u}}
			if tc.location != "" {
				resp.Header.Set("Location", tc.location)
			}
			got, err := uploadLocation(resp)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("uploadLocation() = %q, %v; want error %q", got, err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("uploadLocation() = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

// TestUploadsAreBounded pushes six images of their own through a registry that answers
// uploads slowly: no more blob uploads are in flight at once than Jobs allows.
func TestUploadsAreBounded(t *testing.T) {
	inner := ggcr.New(ggcr.Logger(log.New(io.Discard, "", 0)))
	var inFlight, most atomic.Int32
	p := through(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut && strings.Contains(r.URL.Path, "/blobs/uploads/") {
			n := inFlight.Add(1)
			defer inFlight.Add(-1)
			for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
			}
			time.Sleep(20 * time.Millisecond)
		}
		inner.ServeHTTP(w, r)
	}))
	p.Jobs = 2
	host := ecrHostForTest
	var jobs []Job
	for i := 0; i < 6; i++ {
		img, _ := random.Image(512, 2)
		id, _ := img.ConfigName()
		fn := fmt.Sprintf("Fn%d", i)
		jobs = append(jobs, Job{Function: fn, Image: &Image{Image: img, Source: fn, Tag: "latest", ID: id.String()}, Repo: host + "/app/" + strings.ToLower(fn), Empty: true})
	}
	if _, err := p.PushAll(context.Background(), jobs); err != nil {
		t.Fatalf("PushAll() = %v", err)
	}
	// Two images at once would send up to six blobs at once without the bound; how many run
	// together within it is the scheduler's business.
	if got := most.Load(); got < 1 || got > 2 {
		t.Errorf("%d uploads were in flight at once, want at most 2 (Jobs)", got)
	}
}

// ecrHostForTest is an ECR registry host; Redirect sends its requests to the test server.
const ecrHostForTest = "123456789012.dkr.ecr.us-east-1.amazonaws.com"

// TestMountWithTokens pushes one image to two repositories of a registry that hands out
// tokens and mounts a blob only for a token that may read its source: the second repository
// mounts every blob (its token was asked with pull access to the first) and sends none.
func TestMountWithTokens(t *testing.T) {
	inner := ggcr.New(ggcr.Logger(log.New(io.Discard, "", 0)))
	var mu sync.Mutex
	var mounted, refused, uploads int
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/token" { // the token lists the scopes it was asked for
			fmt.Fprintf(w, `{"token": %q}`, strings.Join(r.URL.Query()["scope"], " "))
			return
		}
		granted, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok {
			w.Header().Set("WWW-Authenticate", `Bearer realm="https://`+ecrHostForTest+`/token",service="test"`)
			http.Error(w, "who are you", http.StatusUnauthorized)
			return
		}
		if from := r.URL.Query().Get("from"); r.Method == http.MethodPost && from != "" {
			mu.Lock()
			defer mu.Unlock()
			if !strings.Contains(granted, "repository:"+from+":pull") {
				refused++
				r.URL.RawQuery = "" // a token that may not read the source gets an upload
			} else {
				mounted++
				w.Header().Set("Location", "/v2/")
				w.WriteHeader(http.StatusCreated) // this registry keeps blobs across repositories
				return
			}
		}
		if r.Method == http.MethodPut && strings.Contains(r.URL.Path, "/blobs/uploads/") {
			mu.Lock()
			uploads++
			mu.Unlock()
		}
		inner.ServeHTTP(w, r)
	})
	pushToTwoRepos(t, through(t, h), 1024)
	if mounted != 3 || refused != 0 || uploads != 3 {
		t.Errorf("%d mounts, %d refused, %d uploads; want the 3 blobs sent once and mounted once", mounted, refused, uploads)
	}
}

// TestRedirectKeepsTheECRHost checks that answers through SAMSHIP_REGISTRY_ENDPOINT look as if
// the ECR host gave them, so that an upload's next request goes back through the redirect
// with the ECR host's credentials.
func TestRedirectKeepsTheECRHost(t *testing.T) {
	var srvURL string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		loc := map[string]string{"/abs": srvURL + "/v2/a/blobs/uploads/1?s=x", "/rel": "/v2/a/blobs/uploads/2", "/other": "https://bucket.example/x"}[r.URL.Path]
		w.Header().Set("Location", loc)
		w.WriteHeader(http.StatusAccepted)
	}))
	defer srv.Close()
	srvURL = srv.URL
	rt, _ := Redirect(http.DefaultTransport, srv.URL)
	for path, want := range map[string]string{
		"/abs":   "https://" + ecrHostForTest + "/v2/a/blobs/uploads/1?s=x",
		"/rel":   "https://" + ecrHostForTest + "/v2/a/blobs/uploads/2",
		"/other": "https://bucket.example/x",
	} {
		req, _ := http.NewRequest(http.MethodPost, "https://"+ecrHostForTest+path, nil)
		resp, err := rt.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got, err := uploadLocation(resp); err != nil || got != want {
			t.Errorf("%s: upload location %q, %v; want %q", path, got, err, want)
		}
	}
}

// through returns a Pusher whose ECR registry traffic goes to a test server running h.
func through(t *testing.T, h http.Handler) *Pusher {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	rt, err := Redirect(http.DefaultTransport, srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	return &Pusher{Access: Access{Transport: rt, Keychain: NewKeychain(&fakeToken{})}}
}

// pushToTwoRepos pushes one new image (two layers of size bytes, from an OCI layout) for
// functions A and B to repositories app/a and app/b, expects both pushed, and returns the image.
func pushToTwoRepos(t *testing.T, p *Pusher, size int64) *Image {
	t.Helper()
	img, _ := random.Image(size, 2)
	a, err := (&Opener{Dir: sources(t, img), Scratch: NewScratch(t.TempDir())}).Open(context.Background(), "layout", "A", "")
	if err != nil {
		t.Fatal(err)
	}
	res, err := p.PushAll(context.Background(), []Job{{Function: "A", Image: a, Repo: ecrHostForTest + "/app/a"}, {Function: "B", Image: a, Repo: ecrHostForTest + "/app/b"}})
	if err != nil {
		t.Fatalf("PushAll() = %v", err)
	}
	if !res[0].Pushed || !res[1].Pushed {
		t.Errorf("PushAll() = %+v", res)
	}
	return a
}

// TestFailedUpload pushes through a registry that keeps failing uploads: the transient error is
// retried, then reported naming the function, the repository and the blob, and the push that
// waited for the failed blob does not hang.
func TestFailedUpload(t *testing.T) {
	inner := ggcr.New(ggcr.Logger(log.New(io.Discard, "", 0)))
	var puts atomic.Int32
	p := through(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut && strings.Contains(r.URL.Path, "/blobs/uploads/") {
			puts.Add(1)
			io.Copy(io.Discard, r.Body)
			http.Error(w, "disk full", http.StatusServiceUnavailable)
			return
		}
		inner.ServeHTTP(w, r)
	}))
	p.retryDelays = []time.Duration{time.Millisecond, time.Millisecond}
	img, _ := random.Image(512, 1)
	a, err := (&Opener{Dir: sources(t, img), Scratch: NewScratch(t.TempDir())}).Open(context.Background(), "layout", "A", "")
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.PushAll(context.Background(), []Job{{Function: "A", Image: a, Repo: ecrHostForTest + "/app/a", Empty: true},
		{Function: "B", Image: a, Repo: ecrHostForTest + "/app/b", Empty: true}})
	if err == nil || !strings.Contains(err.Error(), "push image of function ") || !strings.Contains(err.Error(), ": send blob sha256:") || !strings.Contains(err.Error(), "503") {
		t.Fatalf("PushAll() error = %v", err)
	}
	if n := puts.Load(); n < 3 {
		t.Errorf("%d uploads tried, want the first and two retries at least", n)
	}
}
