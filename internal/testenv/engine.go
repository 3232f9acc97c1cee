package testenv

import (
	"archive/tar"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// FakeEngine answers the Docker engine API calls samship makes (image inspect, image export)
// for images, on a unix socket in a scratch directory, where no real engine is wanted. Its
// export is what engines export: the layers uncompressed, named as Podman names them
// (<diff id hex>.tar), or with Legacy as Docker before 25 does (<v1 id>/layer.tar, in the
// lexical order of made-up v1 ids).
type FakeEngine struct {
	// Host is the DOCKER_HOST value that reaches it.
	Host string
	// Saves counts the exports.
	Saves atomic.Int64
	// Legacy names layers by position, as Docker before 25 does.
	Legacy bool
	// Indexed keeps images as Docker's containerd image store does: an image's id is its
	// manifest's digest, and its export holds the compressed blobs.
	Indexed bool
	// Spoil, when set, may change the bytes of each entry of an export (named as in the tar).
	Spoil func(name string, b []byte) []byte

	mu     sync.Mutex
	images map[string]v1.Image
	srv    *http.Server
	dir    string
}

// Set makes name an image of the engine (a rebuild).
func (e *FakeEngine) Set(name string, img v1.Image) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.images[name] = img
}

// image is the image name names; a name without a tag is name:latest, as Docker reads it.
func (e *FakeEngine) image(name string) (v1.Image, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	img, ok := e.images[name]
	if !ok && !strings.Contains(name[strings.LastIndexByte(name, '/')+1:], ":") && !strings.Contains(name, "@") {
		img, ok = e.images[name+":latest"]
	}
	return img, ok
}

// StartFakeEngine serves images by their local names ("hellofunction:python3.12-v1").
func StartFakeEngine(images map[string]v1.Image) (*FakeEngine, error) {
	dir, err := os.MkdirTemp("", "samship-engine-")
	if err != nil {
		return nil, err
	}
	sock := filepath.Join(dir, "docker.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		return nil, err
	}
	e := &FakeEngine{Host: "unix://" + sock, dir: dir, images: map[string]v1.Image{}}
	for n, img := range images {
		e.images[n] = img
	}
	e.srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/images/get" {
			var imgs []v1.Image
			for _, n := range r.URL.Query()["names"] {
				img, ok := e.image(n)
				if !ok {
					http.Error(w, `{"message":"No such image: `+n+`"}`, http.StatusNotFound)
					return
				}
				imgs = append(imgs, img)
			}
			e.Saves.Add(1)
			w.Header().Set("Content-Type", "application/x-tar")
			export := e.export
			if e.Indexed {
				export = exportBlobs
			}
			if err := export(w, imgs); err != nil {
				panic(http.ErrAbortHandler)
			}
			return
		}
		ref, ok := strings.CutSuffix(strings.TrimPrefix(r.URL.Path, "/images/"), "/json")
		img, found := e.image(ref)
		if !ok || !found {
			http.Error(w, `{"message":"No such image: `+ref+`"}`, http.StatusNotFound)
			return
		}
		info := inspect(img)
		if e.Indexed {
			d, _ := img.Digest()
			info["Id"], info["Descriptor"] = d.String(), map[string]any{"digest": d.String()}
		}
		json.NewEncoder(w).Encode(info)
	})}
	go e.srv.Serve(l)
	return e, nil
}

// inspect is the engine's answer to an image inspect.
func inspect(img v1.Image) map[string]any {
	id, _ := img.ConfigName()
	cfg, _ := img.ConfigFile()
	var diffs []string
	var size int64
	layers, _ := img.Layers()
	for _, l := range layers {
		d, _ := l.DiffID()
		diffs = append(diffs, d.String())
		if rc, err := l.Uncompressed(); err == nil {
			n, _ := io.Copy(io.Discard, rc)
			rc.Close()
			size += n
		}
	}
	return map[string]any{"Id": id.String(), "Os": cfg.OS, "Architecture": cfg.Architecture,
		"Variant": cfg.Variant, "Size": size, "RootFS": map[string]any{"Type": "layers", "Layers": diffs}}
}

// export writes imgs as one docker archive, each distinct layer once.
func (e *FakeEngine) export(w io.Writer, imgs []v1.Image) error {
	type entry struct {
		name string
		open func() (io.ReadCloser, error)
	}
	var entries []entry
	seen := map[v1.Hash]bool{}
	for _, img := range imgs {
		id, err := img.ConfigName()
		if err != nil {
			return err
		}
		raw, err := img.RawConfigFile()
		if err != nil {
			return err
		}
		entries = append(entries, entry{id.Hex + ".json", func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(string(raw))), nil }})
		layers, err := img.Layers()
		if err != nil {
			return err
		}
		for i, l := range layers {
			d, err := l.DiffID()
			if err != nil {
				return err
			}
			if seen[d] {
				continue
			}
			seen[d] = true
			name := d.Hex + ".tar"
			if e.Legacy {
				name = fmt.Sprintf("%x/layer.tar", sha256.Sum256([]byte(fmt.Sprint(id, i))))
			}
			entries = append(entries, entry{name, l.Uncompressed})
		}
	}
	if e.Legacy {
		sort.Slice(entries, func(i, j int) bool { return entries[i].name < entries[j].name })
	}
	tw := tar.NewWriter(w)
	for _, en := range entries {
		rc, err := en.open()
		if err != nil {
			return err
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return err
		}
		if e.Spoil != nil {
			b = e.Spoil(en.name, b)
		}
		if err := tw.WriteHeader(&tar.Header{Name: en.name, Mode: 0o644, Size: int64(len(b)), Typeflag: tar.TypeReg}); err != nil {
			return err
		}
		if _, err := tw.Write(b); err != nil {
			return err
		}
	}
	// manifest.json comes last, as engines write it; samship does not need it.
	m := []byte("[]")
	tw.WriteHeader(&tar.Header{Name: "manifest.json", Mode: 0o644, Size: int64(len(m)), Typeflag: tar.TypeReg})
	tw.Write(m)
	return tw.Close()
}

// exportBlobs writes imgs as a docker archive of their compressed blobs.
func exportBlobs(w io.Writer, imgs []v1.Image) error {
	refs := map[name.Reference]v1.Image{}
	for i, img := range imgs {
		ref, err := name.ParseReference(fmt.Sprintf("image%d:latest", i))
		if err != nil {
			return err
		}
		refs[ref] = img
	}
	return tarball.MultiRefWrite(refs, w)
}

// Stop ends the fake engine.
func (e *FakeEngine) Stop() {
	e.srv.Close()
	os.RemoveAll(e.dir)
}
