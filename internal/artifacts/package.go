package artifacts

import (
	"archive/zip"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"time"
)

// Package uploads a local artifact (a folder, zipped, or a file as it is) named by path,
// relative to dir, under SAM CLI's key: the MD5 of the folder's content (each file's relative
// path followed by its own MD5, in path order) or of the file. It returns the key; an object
// already there with that key is not uploaded again unless Force.
func (u *Uploader) Package(ctx context.Context, dir, path string) (string, error) {
	abs := path
	if !filepath.IsAbs(abs) {
		abs = filepath.Join(dir, path)
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return "", fmt.Errorf("package %s: %w", path, unwrapPath(err))
	}
	if !fi.IsDir() {
		sum, err := fileMD5(abs)
		if err != nil {
			return "", fmt.Errorf("package %s: %w", path, err)
		}
		f, err := os.Open(abs)
		if err != nil {
			return "", fmt.Errorf("package %s: %w", path, err)
		}
		defer f.Close()
		key := u.prefixed(sum)
		return key, u.upload(ctx, key, f, fi.Size())
	}
	files, err := listFiles(abs)
	if err != nil {
		return "", fmt.Errorf("package %s: %w", path, err)
	}
	h := md5.New()
	for _, rel := range files {
		sum, err := fileMD5(filepath.Join(abs, rel))
		if err != nil {
			return "", fmt.Errorf("package %s: %w", path, err)
		}
		io.WriteString(h, filepath.ToSlash(rel))
		io.WriteString(h, sum)
	}
	key := u.prefixed(hex.EncodeToString(h.Sum(nil)))
	if !u.Force && u.exists(ctx, key) {
		u.Report.AlreadyUploaded(key)
		return key, nil
	}
	tmp, err := os.CreateTemp("", "samship-*.zip")
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	if err := writeZip(tmp, abs, files); err != nil {
		return "", fmt.Errorf("package %s: %w", path, err)
	}
	size, err := tmp.Seek(0, io.SeekCurrent)
	if err != nil {
		return "", err
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return "", err
	}
	return key, u.put(ctx, key, tmp, size)
}

func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// listFiles returns the regular files below dir (following links), relative, sorted.
func listFiles(dir string) ([]string, error) {
	var out []string
	var walk func(rel string) error
	walk = func(rel string) error {
		entries, err := os.ReadDir(filepath.Join(dir, rel))
		if err != nil {
			return err
		}
		for _, e := range entries {
			p := filepath.Join(rel, e.Name())
			fi, err := os.Stat(filepath.Join(dir, p)) // follows links, as SAM CLI does
			if err != nil {
				return err
			}
			if fi.IsDir() {
				if err := walk(p); err != nil {
					return err
				}
			} else if fi.Mode().IsRegular() {
				out = append(out, p)
			}
		}
		return nil
	}
	if err := walk(""); err != nil {
		return nil, err
	}
	sort.Strings(out)
	return out, nil
}

func fileMD5(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := md5.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// writeZip writes files of dir to w with fixed times and modes (0644, or 0755 for
// executables), so the same folder always gives the same archive.
func writeZip(w io.Writer, dir string, files []string) error {
	zw := zip.NewWriter(w)
	for _, rel := range files {
		fi, err := os.Stat(filepath.Join(dir, rel))
		if err != nil {
			return err
		}
		hdr := &zip.FileHeader{Name: filepath.ToSlash(rel), Method: zip.Deflate, Modified: time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)}
		mode := fs.FileMode(0o644)
		if fi.Mode()&0o111 != 0 {
			mode = 0o755
		}
		hdr.SetMode(mode)
		zf, err := zw.CreateHeader(hdr)
		if err != nil {
			return err
		}
		f, err := os.Open(filepath.Join(dir, rel))
		if err != nil {
			return err
		}
		_, err = io.Copy(zf, f)
		f.Close()
		if err != nil {
			return err
		}
	}
	return zw.Close()
}
