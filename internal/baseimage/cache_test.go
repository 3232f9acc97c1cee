package baseimage_test

import (
	"context"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/samship/samship/internal/baseimage"
	"github.com/samship/samship/internal/testenv"
)

func TestMain(m *testing.M) {
	code := m.Run()
	testenv.StopShared()
	os.Exit(code)
}

// counter is a Transport that counts the requests it carries, and which paths they asked.
type counter struct {
	n     atomic.Int64
	mu    sync.Mutex
	paths []string
}

func (c *counter) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	c.mu.Lock()
	c.paths = append(c.paths, r.Method+" "+r.URL.Path)
	c.mu.Unlock()
	return remote.DefaultTransport.RoundTrip(r)
}

// asked reports whether a request's path ended in s.
func (c *counter) asked(s string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, p := range c.paths {
		if strings.HasSuffix(p, s) {
			return true
		}
	}
	return false
}

var (
	publishOnce sync.Once
	published   map[string]v1.Hash
	publishErr  error
)

const filler = 64 << 10

// registry returns the shared registry's host, holding the Lambda stand-ins as lambda/<runtime>.
func registry(t *testing.T) string {
	t.Helper()
	testenv.Needs(t, "a registry")
	reg := testenv.SharedRegistry(t)
	publishOnce.Do(func() { published, publishErr = testenv.PublishLambdaBases(context.Background(), reg.URL, filler) })
	if publishErr != nil {
		t.Fatal(publishErr)
	}
	return strings.TrimPrefix(reg.URL, "http://")
}

var clock = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

// open opens a cache in dir that mirrors public.ecr.aws to host, counting its requests.
func open(t *testing.T, dir, host string, pull bool) (*baseimage.Cache, *counter) {
	t.Helper()
	tr := &counter{}
	c, err := baseimage.Open(baseimage.Options{Dir: dir, Mirrors: map[string]string{"public.ecr.aws": host},
		Pull: pull, Transport: tr, Now: func() time.Time { return clock }})
	if err != nil {
		t.Fatal(err)
	}
	return c, tr
}

// standIn is the digest of LambdaBase(runtime, arch, filler).
func standIn(t *testing.T, runtime, arch string, filler int64) v1.Hash {
	t.Helper()
	img, err := testenv.LambdaBase(runtime, arch, filler)
	if err != nil {
		t.Fatal(err)
	}
	d, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// push pushes LambdaBase(runtime, "amd64", filler), a single-platform image, as ref on host
// and returns its digest.
func push(t *testing.T, host, ref, runtime string, filler int64) v1.Hash {
	t.Helper()
	img, err := testenv.LambdaBase(runtime, "amd64", filler)
	if err != nil {
		t.Fatal(err)
	}
	tag, err := name.NewTag(host+"/"+ref, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(tag, img); err != nil {
		t.Fatal(err)
	}
	d, _ := img.Digest()
	return d
}

// readAll reads every layer of img, compressed and uncompressed, and checks it against the
// digests the image names.
func readAll(img v1.Image) error {
	layers, err := img.Layers()
	if err != nil {
		return err
	}
	for _, l := range layers {
		for _, open := range []func() (io.ReadCloser, error){l.Compressed, l.Uncompressed} {
			rc, err := open()
			if err != nil {
				return err
			}
			_, err = io.Copy(io.Discard, rc)
			rc.Close()
			if err != nil {
				return err
			}
		}
	}
	return nil
}

func TestImageThroughMirror(t *testing.T) {
	host := registry(t)
	dir := t.TempDir()
	const ref = "public.ecr.aws/lambda/python:3.12"
	c, tr := open(t, dir, host, false)
	img, info, err := c.Image(context.Background(), ref, "linux/amd64")
	if err != nil {
		t.Fatal(err)
	}
	want := baseimage.Info{Ref: ref, Digest: standIn(t, "python:3.12", "amd64", filler), Fetched: true, From: host, Resolved: clock}
	if info != want {
		t.Errorf("Image(%s) = %+v, want %+v", ref, info, want)
	}
	if d, _ := img.Digest(); d != want.Digest {
		t.Errorf("Image(%s).Digest() = %s, want %s", ref, d, want.Digest)
	}
	if err := readAll(img); err != nil {
		t.Errorf("read Image(%s): %v", ref, err)
	}
	if tr.n.Load() == 0 {
		t.Errorf("Image(%s) made no request, want it fetched", ref)
	}

	// A second build, in another process: the same image with no request at all.
	c2, tr2 := open(t, dir, host, false)
	img2, info2, err := c2.Image(context.Background(), ref, "linux/amd64")
	if err != nil {
		t.Fatal(err)
	}
	want.Fetched, want.From = false, ""
	if info2 != want {
		t.Errorf("Image(%s) again = %+v, want %+v", ref, info2, want)
	}
	if n := tr2.n.Load(); n != 0 {
		t.Errorf("Image(%s) again made %d requests %q, want none", ref, n, tr2.paths)
	}
	if d, _ := img2.Digest(); d != want.Digest {
		t.Errorf("Image(%s) again .Digest() = %s, want %s", ref, d, want.Digest)
	}
	if err := readAll(img2); err != nil {
		t.Errorf("read Image(%s) again: %v", ref, err)
	}
	layers1, _ := img.Layers()
	layers2, _ := img2.Layers()
	for i := range layers1 {
		d1, _ := layers1[i].DiffID()
		d2, _ := layers2[i].DiffID()
		if d1 != d2 {
			t.Errorf("layer %d diff id = %s, then %s", i, d1, d2)
		}
	}
	if n := tr2.n.Load(); n != 0 {
		t.Errorf("reading Image(%s) again made %d requests, want none", ref, n)
	}
}

func TestSharedBlobsNotFetchedAgain(t *testing.T) {
	host := registry(t)
	dir := t.TempDir()
	c, _ := open(t, dir, host, false)
	img, _, err := c.Image(context.Background(), "public.ecr.aws/lambda/nodejs:22", "linux/arm64")
	if err != nil {
		t.Fatal(err)
	}
	// The same image under another tag: its layers are in the cache already.
	d, _ := img.Digest()
	tag, _ := name.NewTag(host+"/other/node:v1", name.Insecure)
	if err := remote.Write(tag, img); err != nil {
		t.Fatal(err)
	}
	c2, tr := open(t, dir, host, false)
	_, info, err := c2.Image(context.Background(), "public.ecr.aws/other/node:v1", "linux/arm64")
	if err != nil {
		t.Fatal(err)
	}
	if !info.Fetched || info.Digest != d {
		t.Errorf("Image(other/node:v1) = %+v, want fetched %s", info, d)
	}
	m, _ := img.Manifest()
	for _, l := range m.Layers {
		if tr.asked(l.Digest.String()) {
			t.Errorf("Image(other/node:v1) fetched layer %s, which the cache held", l.Digest)
		}
	}
}
