// Package userfile reads the files a user names (parameter files, SAM configuration files,
// policies): only regular files, and only up to a size, so that /dev/zero, a named pipe or a
// terminal given by mistake or on purpose is refused at once in one line instead of being
// read without end or waited on forever.
package userfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// MiB is a mebibyte, the unit of the limits.
const MiB = 1 << 20

// Check returns the file at path's information when it is a regular file (a symbolic link to
// one counts); what names the file in errors ("parameter file"). A missing file's error wraps
// fs.ErrNotExist.
func Check(what, path string) (fs.FileInfo, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("read %s %s: %w", what, path, unwrapPath(err))
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("read %s %s: not a regular file (%s)", what, path, kind(fi.Mode()))
	}
	return fi, nil
}

// Read reads the regular file at path, refusing one larger than limit bytes; what names the
// file in errors. A missing file's error wraps fs.ErrNotExist.
func Read(what, path string, limit int64) ([]byte, error) {
	if _, err := Check(what, path); err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read %s %s: %w", what, path, unwrapPath(err))
	}
	defer f.Close()
	// The file checked may have been replaced since: check what was opened.
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("read %s %s: not a regular file", what, path)
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read %s %s: %w", what, path, unwrapPath(err))
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("read %s %s: larger than %s, the most samship reads of a %s", what, path, size(limit), what)
	}
	return data, nil
}

func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func kind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m&fs.ModeSocket != 0:
		return "a socket"
	}
	return "not a file"
}

func size(n int64) string {
	if n%MiB == 0 {
		return fmt.Sprintf("%d MiB", n/MiB)
	}
	return fmt.Sprintf("%d bytes", n)
}
