package registry

import (
	"archive/tar"
	"bytes"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	ggcr "github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// oneFileTar is a tar of one file, what a layer holds.
func oneFileTar(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	tw.WriteHeader(&tar.Header{Name: "app.py", Mode: 0o644, Size: 5})
	tw.Write([]byte("hello"))
	tw.Close()
	return b.Bytes()
}

// TestVerifyUnpacks: layers whose bytes match their digests but that Lambda could not unpack
// (a gzip layer that is not gzip, a layer whose content is not the config's diff id) are
// refused before anything changes; an uncompressed tar layer is sound.
func TestVerifyUnpacks(t *testing.T) {
	sound, err := random.Image(512, 2)
	if err != nil {
		t.Fatal(err)
	}
	wrongDiffID := func() v1.Image {
		cf, err := sound.ConfigFile()
		if err != nil {
			t.Fatal(err)
		}
		cf = cf.DeepCopy()
		cf.RootFS.DiffIDs[1] = v1.Hash{Algorithm: "sha256", Hex: strings.Repeat("ab", 32)}
		img, err := mutate.ConfigFile(sound, cf)
		if err != nil {
			t.Fatal(err)
		}
		return img
	}
	withLayer := func(b []byte, mt types.MediaType) v1.Image {
		img, err := mutate.AppendLayers(empty.Image, static.NewLayer(b, mt))
		if err != nil {
			t.Fatal(err)
		}
		return img
	}
	tests := map[string]struct {
		img  v1.Image
		want string
	}{
		"sound (gzip layers)":       {sound, ""},
		"an uncompressed tar layer": {withLayer(oneFileTar(t), types.OCIUncompressedLayer), ""},
		"a gzip layer that is not":  {withLayer(oneFileTar(t), types.DockerLayer), "does not unpack as application/vnd.docker.image.rootfs.diff.tar.gzip: gzip: invalid header"},
		"a layer not the diff id":   {wrongDiffID(), "unpacks to sha256:"},
		"a layer of no layer type":  {withLayer(oneFileTar(t), "application/octet-stream"), `media type "application/octet-stream" is not a layer type`},
	}
	for label, tc := range tests {
		t.Run(label, func(t *testing.T) {
			dir := t.TempDir()
			p, err := layout.Write(dir, empty.Index)
			if err != nil {
				t.Fatal(err)
			}
			if err := p.AppendImage(tc.img); err != nil {
				t.Fatal(err)
			}
			_, err = openVerified(t, dir)
			wantError(t, err, tc.want)
		})
	}
}

// TestRegistryImageReadBeforeAnythingChanges: an image in another registry is read whole by
// the check before the run (a truncated blob is found there, not mid-push), and its manifest
// must have the digest the registry names it by.
func TestRegistryImageReadBeforeAnythingChanges(t *testing.T) {
	img, err := random.Image(2048, 2)
	if err != nil {
		t.Fatal(err)
	}
	layers, _ := img.Layers()
	spoiled, _ := layers[1].Digest()
	tests := map[string]struct {
		wrap func(http.Handler) http.Handler
		want string
	}{
		"sound": {nil, ""},
		"a blob cut short": {func(h http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/blobs/"+spoiled.String()) {
					rec := httptest.NewRecorder()
					h.ServeHTTP(rec, r)
					body := rec.Body.Bytes()
					w.WriteHeader(rec.Code)
					w.Write(body[:len(body)/2])
					return
				}
				h.ServeHTTP(w, r)
			})
		}, "layer " + spoiled.String()},
		"a manifest not the digest the registry says": {func(h http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method == http.MethodHead && strings.Contains(r.URL.Path, "/manifests/") {
					w.Header().Set("Docker-Content-Digest", "sha256:"+strings.Repeat("0", 64))
					w.Header().Set("Content-Type", string(types.DockerManifestSchema2))
					w.Header().Set("Content-Length", "100")
					w.WriteHeader(http.StatusOK)
					return
				}
				h.ServeHTTP(w, r)
			})
		}, "the registry names its manifest sha256:0000"},
	}
	for label, tc := range tests {
		t.Run(label, func(t *testing.T) {
			var h http.Handler = ggcr.New(ggcr.Logger(log.New(io.Discard, "", 0)))
			if tc.wrap != nil {
				h = tc.wrap(h)
			}
			var blobGets atomic.Int32
			inner := h
			h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method == http.MethodGet && strings.Contains(r.URL.Path, "/blobs/") {
					blobGets.Add(1)
				}
				inner.ServeHTTP(w, r)
			})
			srv := httptest.NewServer(h)
			defer srv.Close()
			ref, err := name.ParseReference(strings.TrimPrefix(srv.URL, "http://") + "/src/app:v1")
			if err != nil {
				t.Fatal(err)
			}
			if err := remote.Write(ref, img); err != nil {
				t.Fatal(err)
			}
			opened, err := openVerified(t, ref.String())
			wantError(t, err, tc.want)
			if tc.want != "" || err != nil {
				return
			}
			// The push reads the copy the check made: no layer is fetched again.
			before := blobGets.Load()
			for _, l := range layers {
				d, _ := l.Digest()
				cl, err := opened.LayerByDigest(d)
				if err != nil {
					t.Fatal(err)
				}
				rc, err := cl.Compressed()
				if err != nil {
					t.Fatal(err)
				}
				io.Copy(io.Discard, rc)
				rc.Close()
			}
			if n := blobGets.Load() - before; n != 0 {
				t.Errorf("reading the layers after the check fetched %d blobs, want 0", n)
			}
		})
	}
}
