package build

import (
	"archive/tar"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// pythonBin is where AWS's Python base images keep the interpreter.
var pythonBin = regexp.MustCompile(`^var/lang/bin/python(3\.[0-9]+)$`)

// baseFacts is what a build needs to know of a base image's files: its Python version (for
// pip's --python-version when the RUN does not name it) and its directories (for a COPY whose
// destination, written without a trailing slash, is a directory of the image, as
// `COPY app.py ${LAMBDA_TASK_ROOT}` in AWS's own examples). They are read once per base
// image, from its layers' headers, and remembered in the layer cache by its digest.
type baseFacts struct {
	Python string   `json:"python"`
	Dirs   []string `json:"dirs"` // absolute, sorted
}

func (f *baseFacts) isDir(p string) bool {
	i := sort.SearchStrings(f.Dirs, p)
	return i < len(f.Dirs) && f.Dirs[i] == p
}

// facts reads (or recalls) img's baseFacts.
func (e *evaluator) facts(img v1.Image) (*baseFacts, error) {
	d, err := img.Digest()
	if err != nil {
		return nil, err
	}
	memo := filepath.Join(e.cache.dir, "keys", "base-"+d.Hex)
	var f baseFacts
	if b, err := os.ReadFile(memo); err == nil && json.Unmarshal(b, &f) == nil {
		return &f, nil
	}
	layers, err := img.Layers()
	if err != nil {
		return nil, err
	}
	dirs := map[string]bool{"/": true}
	for _, l := range layers {
		if err := scanLayer(l, dirs, &f); err != nil {
			return nil, fmt.Errorf("read base image %s: %w", d, err)
		}
	}
	for p := range dirs {
		f.Dirs = append(f.Dirs, p)
	}
	sort.Strings(f.Dirs)
	if b, err := json.Marshal(f); err == nil && os.MkdirAll(filepath.Dir(memo), 0o755) == nil {
		_ = writeAtomic(memo, b) // a cache: a build that cannot write it reads the layers again
	}
	return &f, nil
}

func scanLayer(l v1.Layer, dirs map[string]bool, f *baseFacts) error {
	rc, err := l.Uncompressed()
	if err != nil {
		return err
	}
	defer rc.Close()
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		name := strings.TrimPrefix(path.Clean("/"+h.Name), "/")
		if m := pythonBin.FindStringSubmatch(name); m != nil {
			f.Python = m[1]
		}
		if base := path.Base(name); strings.HasPrefix(base, ".wh.") {
			delete(dirs, "/"+path.Join(path.Dir(name), strings.TrimPrefix(base, ".wh.")))
			continue
		}
		if h.Typeflag == tar.TypeDir {
			dirs["/"+name] = true
		}
		for d := path.Dir("/" + name); d != "/"; d = path.Dir(d) {
			dirs[d] = true
		}
	}
}

// pythonVersion is the Python version of a base image ("3.12"), from where AWS's images keep
// the interpreter.
func (e *evaluator) pythonVersion(img v1.Image) (string, error) {
	f, err := e.facts(img)
	if err != nil {
		return "", err
	}
	if f.Python == "" {
		d, _ := img.Digest()
		return "", fmt.Errorf("the base image %s has no /var/lang/bin/python3.N, so pip's target Python version is unknown: name it in the RUN (python3.12 -m pip install ...)", d)
	}
	return f.Python, nil
}
