package baseimage_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/samship/samship/internal/baseimage"
	"github.com/samship/samship/internal/testenv"
)

// largestLayer is the biggest layer of img: the filler.
func largestLayer(t *testing.T, img v1.Image) v1.Descriptor {
	t.Helper()
	m, err := img.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	var big v1.Descriptor
	for _, l := range m.Layers {
		if l.Size > big.Size {
			big = l
		}
	}
	return big
}

func TestCorruptBlob(t *testing.T) {
	host := registry(t)
	const ref = "public.ecr.aws/lambda/python:3.12"
	ctx := context.Background()
	tests := []struct {
		name string
		// spoil spoils the cached blob at path.
		spoil func(path string) error
		// whichBlob picks the blob of img to spoil.
		config bool
		// wantReadErr: served from the cache, the layer fails when read, and is fetched again
		// by the next build; else the lookup finds it bad and fetches it again at once.
		wantReadErr bool
	}{
		{"layer cut short", func(p string) error { return os.Truncate(p, 100) }, false, false},
		{"layer of the right size, one byte changed", flipByte, false, true},
		{"config changed", flipByte, true, false},
		{"layer gone", os.Remove, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			c, _ := open(t, dir, host, false)
			img, _, err := c.Image(ctx, ref, "linux/amd64")
			if err != nil {
				t.Fatal(err)
			}
			blob := largestLayer(t, img).Digest
			if tt.config {
				blob, _ = img.ConfigName()
			}
			path := filepath.Join(dir, "blobs", "sha256", blob.Hex)
			if err := tt.spoil(path); err != nil {
				t.Fatal(err)
			}

			c2, tr := open(t, dir, host, false)
			img2, info, err := c2.Image(ctx, ref, "linux/amd64")
			if err != nil {
				t.Fatal(err)
			}
			if info.Fetched == tt.wantReadErr {
				t.Errorf("Image(%s) with %s: Fetched = %v, want %v", ref, tt.name, info.Fetched, !tt.wantReadErr)
			}
			if info.Fetched && !tr.asked(blob.String()) {
				t.Errorf("Image(%s) with %s did not fetch %s again", ref, tt.name, blob)
			}
			err = readAll(img2)
			if !tt.wantReadErr {
				if err != nil {
					t.Errorf("read Image(%s) with %s refetched: %v", ref, tt.name, err)
				}
				return
			}
			want := fmt.Sprintf("corrupt cached blob %s: got %d bytes of digest", path, largestLayer(t, img).Size)
			if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "the next build fetches it again") {
				t.Fatalf("read Image(%s) with %s = %v, want an error containing %q", ref, tt.name, err, want)
			}
			c3, _ := open(t, dir, host, false)
			img3, info, err := c3.Image(ctx, ref, "linux/amd64")
			if err != nil {
				t.Fatal(err)
			}
			if !info.Fetched {
				t.Errorf("Image(%s) after the corrupt read: Fetched = false, want it fetched again", ref)
			}
			if err := readAll(img3); err != nil {
				t.Errorf("read Image(%s) after the corrupt read: %v", ref, err)
			}
		})
	}
}

func flipByte(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	b[len(b)/2] ^= 0xff
	return os.WriteFile(path, b, 0o644)
}

func TestConcurrentCaches(t *testing.T) {
	host := registry(t)
	dir := t.TempDir()
	const ref = "public.ecr.aws/lambda/nodejs:22"
	var wg sync.WaitGroup
	digests := make([]v1.Hash, 4)
	errs := make([]error, 4)
	for i := range digests {
		wg.Go(func() {
			c, _ := open(t, dir, host, false)
			img, info, err := c.Image(context.Background(), ref, "linux/amd64")
			if err == nil {
				err = readAll(img)
			}
			digests[i], errs[i] = info.Digest, err
		})
	}
	wg.Wait()
	want := standIn(t, "nodejs:22", "amd64", filler)
	for i := range digests {
		if errs[i] != nil || digests[i] != want {
			t.Errorf("Image(%s) #%d at once = %s, %v, want %s", ref, i, digests[i], errs[i], want)
		}
	}
	c, tr := open(t, dir, host, false)
	img, info, err := c.Image(context.Background(), ref, "linux/amd64")
	if err != nil {
		t.Fatal(err)
	}
	if info.Fetched || tr.n.Load() != 0 {
		t.Errorf("Image(%s) after = %+v after %d requests, want it from the cache", ref, info, tr.n.Load())
	}
	if err := readAll(img); err != nil {
		t.Errorf("read Image(%s) after: %v", ref, err)
	}
	if left, _ := os.ReadDir(filepath.Join(dir, "tmp")); len(left) != 0 {
		t.Errorf("cache tmp/ holds %d files after, want none", len(left))
	}
}

// refused is a Transport whose every dial is refused, sending nothing anywhere.
type refused struct{}

func (refused) RoundTrip(r *http.Request) (*http.Response, error) {
	return nil, &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
}

func TestUnreachable(t *testing.T) {
	port, err := testenv.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	closed := fmt.Sprintf("127.0.0.1:%d", port)
	const ref = "public.ecr.aws/lambda/python:3.12"
	tests := []struct {
		name      string
		mirrors   map[string]string
		transport http.RoundTripper
		want      []string
	}{
		{"mirror not listening", map[string]string{"public.ecr.aws": closed}, nil,
			[]string{"pull " + ref + ": cannot reach " + closed + ": ", "connection refused",
				"; it is not cached: check the mirror --registry-mirror sets for public.ecr.aws"}},
		{"registry not reachable", nil, refused{},
			[]string{"pull " + ref + ": cannot reach public.ecr.aws: ", "connection refused",
				"; it is not cached: give a mirror that serves it with --registry-mirror public.ecr.aws=HOST[/PREFIX]"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := baseimage.Open(baseimage.Options{Dir: t.TempDir(), Mirrors: tt.mirrors, Transport: tt.transport})
			if err != nil {
				t.Fatal(err)
			}
			_, _, err = c.Image(context.Background(), ref, "linux/amd64")
			for _, want := range tt.want {
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Errorf("Image(%s) = %v, want it to contain %q", ref, err, want)
				}
			}
			if err != nil && strings.Contains(err.Error(), "\n") {
				t.Errorf("Image(%s) error has several lines: %q", ref, err)
			}
			var op *net.OpError
			if !errors.As(err, &op) {
				t.Errorf("Image(%s) error %v does not wrap the network error", ref, err)
			}
		})
	}
}

func TestOpen(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", "/x/cache")
	if got, err := baseimage.DefaultDir(); got != "/x/cache/samship/base" || err != nil {
		t.Errorf("DefaultDir() = %q, %v, want /x/cache/samship/base", got, err)
	}
	_, err := baseimage.Open(baseimage.Options{Dir: t.TempDir(), Mirrors: map[string]string{"public.ecr.aws": "ftp://127.0.0.1"}})
	want := `registry mirror public.ecr.aws=ftp://127.0.0.1: scheme "ftp" is not http or https`
	if err == nil || err.Error() != want {
		t.Errorf("Open(ftp mirror) = %v, want %s", err, want)
	}
}
