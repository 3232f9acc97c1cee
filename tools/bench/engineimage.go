package main

import (
	"archive/tar"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"io"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/samship/samship/internal/testenv"
)

// layerSpec is one layer of a generated engine image: size bytes of content in files of at
// most 64 MiB, random (incompressible) or text-like JSON lines (compressible), made from seed:
// the same spec gives the same layer, so an image can be loaded again with its base unchanged.
type layerSpec struct {
	size int64
	text bool
	seed uint64
}

const layerFileMax = 64 << 20

func (l layerSpec) files() []int64 {
	var out []int64
	for left := l.size; left > 0; left -= layerFileMax {
		out = append(out, min(left, layerFileMax))
	}
	return out
}

// tarSize is the size of the layer's tar: a 512-byte header and the padded content per file,
// then the two zero blocks that end the archive.
func (l layerSpec) tarSize() int64 {
	n := int64(1024)
	for _, f := range l.files() {
		n += 512 + (f+511)/512*512
	}
	return n
}

// write writes the layer's tar to w.
func (l layerSpec) write(w io.Writer) error {
	var src io.Reader
	if l.text {
		src = newTextReader(l.seed)
	} else {
		var seed [32]byte
		binary.LittleEndian.PutUint64(seed[:], l.seed)
		src = rand.NewChaCha8(seed)
	}
	tw := tar.NewWriter(w)
	for i, size := range l.files() {
		hdr := &tar.Header{Name: fmt.Sprintf("data/%016x/part%03d", l.seed, i), Mode: 0o644, Size: size,
			Typeflag: tar.TypeReg, ModTime: time.Unix(0, 0), Format: tar.FormatUSTAR}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		if _, err := io.CopyN(tw, src, size); err != nil {
			return err
		}
	}
	return tw.Close()
}

// textReader repeats a 16 MiB pool of JSON log lines made from a seed: text-like bytes that
// gzip shrinks several times over (its window is 32 KiB, so the repetition does not help it).
type textReader struct {
	pool []byte
	off  int
}

func newTextReader(seed uint64) *textReader {
	words := []string{"alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet",
		"kilo", "lima", "mike", "november", "oscar", "papa", "quebec", "romeo", "sierra", "tango"}
	actions := []string{"login", "logout", "checkout", "view", "search", "update", "delete", "create"}
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	pool := make([]byte, 0, 16<<20+256)
	for len(pool) < 16<<20 {
		pool = append(pool, `{"ts":"2025-`...)
		pool = strconv.AppendInt(pool, int64(1+r.IntN(12)), 10)
		pool = append(pool, `-01T12:00:`...)
		pool = strconv.AppendInt(pool, int64(r.IntN(60)), 10)
		pool = append(pool, `Z","level":"info","user":"`...)
		pool = append(pool, words[r.IntN(len(words))]...)
		pool = append(pool, `","action":"`...)
		pool = append(pool, actions[r.IntN(len(actions))]...)
		pool = append(pool, `","item":`...)
		pool = strconv.AppendInt(pool, int64(r.IntN(100000)), 10)
		pool = append(pool, `,"ms":`...)
		pool = strconv.AppendInt(pool, int64(r.IntN(1000)), 10)
		pool = append(pool, "}\n"...)
	}
	return &textReader{pool: pool}
}

func (t *textReader) Read(p []byte) (int, error) {
	n := copy(p, t.pool[t.off:])
	t.off = (t.off + n) % len(t.pool)
	return n, nil
}

// writeArchive writes a docker archive (docker save's format) of one linux/amd64 image of
// layers, tagged tag, to w and returns the image id. The layers come first, hashed as they
// go, then the config and manifest.json: docker load reads the whole archive before it reads
// the manifest.
func writeArchive(w io.Writer, tag string, layers []layerSpec) (string, error) {
	tw := tar.NewWriter(w)
	var diffIDs, paths []string
	for i, l := range layers {
		p := fmt.Sprintf("layer%d.tar", i)
		if err := tw.WriteHeader(&tar.Header{Name: p, Mode: 0o644, Size: l.tarSize(), Typeflag: tar.TypeReg, ModTime: time.Unix(0, 0)}); err != nil {
			return "", err
		}
		h := sha256.New()
		if err := l.write(io.MultiWriter(tw, h)); err != nil {
			return "", fmt.Errorf("write layer %d: %w", i, err)
		}
		diffIDs, paths = append(diffIDs, digest(h)), append(paths, p)
	}
	cfg, err := json.Marshal(map[string]any{
		"architecture": "amd64", "os": "linux", "created": "2025-01-01T00:00:00Z",
		"config": map[string]any{"Entrypoint": []string{"/app/handler"}},
		"rootfs": map[string]any{"type": "layers", "diff_ids": diffIDs},
	})
	if err != nil {
		return "", err
	}
	man, err := json.Marshal([]map[string]any{{"Config": "config.json", "RepoTags": []string{tag}, "Layers": paths}})
	if err != nil {
		return "", err
	}
	for _, f := range []struct {
		name string
		body []byte
	}{{"config.json", cfg}, {"manifest.json", man}} {
		if err := tw.WriteHeader(&tar.Header{Name: f.name, Mode: 0o644, Size: int64(len(f.body)), Typeflag: tar.TypeReg, ModTime: time.Unix(0, 0)}); err != nil {
			return "", err
		}
		if _, err := tw.Write(f.body); err != nil {
			return "", err
		}
	}
	sum := sha256.Sum256(cfg)
	return "sha256:" + hex.EncodeToString(sum[:]), tw.Close()
}

func digest(h hash.Hash) string { return "sha256:" + hex.EncodeToString(h.Sum(nil)) }

// engineImage is an image the scenarios load into the engine: four layers of 85, 10, 4 and 1 %
// of its size (a big base, the top one small), tagged tag. ids are the images loaded, to
// remove them afterwards.
type engineImage struct {
	tag    string
	layers []layerSpec
	ids    []string
}

func newEngineImage(tag string, size int64, text bool, seed uint64) *engineImage {
	img := &engineImage{tag: tag}
	for i, f := range []float64{0.85, 0.10, 0.04, 0.01} {
		img.layers = append(img.layers, layerSpec{size: max(int64(f*float64(size)), 1024), text: text, seed: seed*16 + uint64(i)})
	}
	return img
}

// load streams the image's docker archive into the engine (layers it already has are kept).
func (img *engineImage) load(e *testenv.Engine) error {
	pr, pw := io.Pipe()
	idc := make(chan string, 1)
	go func() {
		id, err := writeArchive(pw, img.tag, img.layers)
		idc <- id
		pw.CloseWithError(err)
	}()
	_, err := e.Load(context.Background(), pr)
	pr.CloseWithError(io.ErrClosedPipe)
	if id := <-idc; id != "" {
		img.ids = append(img.ids, id)
	}
	if err != nil {
		return fmt.Errorf("load %s: %w", img.tag, err)
	}
	return nil
}

// changeTop loads the image again with a new top layer, as a rebuild that changed only the
// function's own code leaves it.
func (img *engineImage) changeTop(e *testenv.Engine) error {
	img.layers[len(img.layers)-1].seed += 1 << 32
	old := img.ids
	img.ids = nil
	if err := img.load(e); err != nil {
		return err
	}
	for _, id := range old {
		_ = e.Remove(context.Background(), id) // the version replaced, now untagged
	}
	return nil
}

// remove deletes every version of the image loaded, and its layers.
func (img *engineImage) remove(e *testenv.Engine) {
	for _, id := range img.ids {
		_ = e.Remove(context.Background(), id)
	}
	img.ids = nil
}

func (img *engineImage) top() int64     { return img.layers[len(img.layers)-1].tarSize() }
func (img *engineImage) largest() int64 { return img.layers[0].tarSize() }
