package build

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// pythonBin is where AWS's Python base images keep the interpreter.
var pythonBin = regexp.MustCompile(`^/?var/lang/bin/python(3\.[0-9]+)$`)

// pythonVersion is the Python version of a base image ("3.12"), which pip's --python-version
// needs when the Dockerfile's RUN does not name it: read from where AWS's images keep the
// interpreter, once per base image (remembered in the layer cache by its digest).
func (e *evaluator) pythonVersion(img v1.Image) (string, error) {
	d, err := img.Digest()
	if err != nil {
		return "", err
	}
	memo := filepath.Join(e.cache.dir, "keys", "python-"+d.Hex)
	if b, err := os.ReadFile(memo); err == nil && len(b) > 0 {
		return string(b), nil
	}
	layers, err := img.Layers()
	if err != nil {
		return "", err
	}
	for i := len(layers) - 1; i >= 0; i-- {
		v, err := findPython(layers[i])
		if err != nil {
			return "", err
		}
		if v != "" {
			if os.MkdirAll(filepath.Dir(memo), 0o755) == nil {
				_ = writeAtomic(memo, []byte(v))
			}
			return v, nil
		}
	}
	return "", fmt.Errorf("the base image %s has no /var/lang/bin/python3.N, so pip's target Python version is unknown: name it in the RUN (python3.12 -m pip install ...)", d)
}

func findPython(l v1.Layer) (string, error) {
	rc, err := l.Uncompressed()
	if err != nil {
		return "", err
	}
	defer rc.Close()
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return "", nil
		}
		if err != nil {
			return "", err
		}
		if m := pythonBin.FindStringSubmatch(h.Name); m != nil {
			return m[1], nil
		}
	}
}
