package testenv

import (
	"archive/tar"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// WriteImage writes a new random image of layers layers of size bytes each to path, as a
// docker archive ("docker"), an OCI layout directory ("oci-layout") or a tarred OCI layout
// ("oci-archive"). Tests make their images this way: there is no Docker engine here.
func WriteImage(path, format string, size int64, layers int) error {
	img, err := random.Image(size, int64(layers))
	if err != nil {
		return err
	}
	os.RemoveAll(path)
	switch format {
	case "docker":
		return tarball.WriteToFile(path, name.MustParseReference("samship-test:latest"), img)
	case "oci-layout":
		p, err := layout.Write(path, empty.Index)
		if err != nil {
			return err
		}
		return p.AppendImage(img)
	case "oci-archive":
		dir, err := os.MkdirTemp("", "samship-oci-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		if err := WriteImage(dir, "oci-layout", size, layers); err != nil {
			return err
		}
		return tarDir(dir, path)
	}
	return fmt.Errorf("unknown image format %q", format)
}

func tarDir(dir, path string) error {
	out, err := os.Create(path)
	if err != nil {
		return err
	}
	defer out.Close()
	tw := tar.NewWriter(out)
	err = filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil || fi.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if err := tw.WriteHeader(&tar.Header{Name: rel, Mode: 0o644, Size: fi.Size(), Typeflag: tar.TypeReg}); err != nil {
			return err
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = io.Copy(tw, f)
		return err
	})
	if err != nil {
		return err
	}
	return tw.Close()
}
