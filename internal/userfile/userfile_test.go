//go:build !windows

package userfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestRead(t *testing.T) {
	dir := t.TempDir()
	small := filepath.Join(dir, "small.json")
	if err := os.WriteFile(small, []byte(`{"A": "1"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big.json")
	if err := os.WriteFile(big, make([]byte, 2*MiB+1), 0o600); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "pipe")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.json")
	if err := os.Symlink(small, link); err != nil {
		t.Fatal(err)
	}
	tests := map[string]struct {
		path    string
		want    string // the content read
		wantErr string
	}{
		"regular file":           {path: small, want: `{"A": "1"}`},
		"link to a regular file": {path: link, want: `{"A": "1"}`},
		"named pipe":             {path: fifo, wantErr: "read parameter file " + fifo + ": not a regular file (a named pipe)"},
		"endless device":         {path: "/dev/zero", wantErr: "read parameter file /dev/zero: not a regular file (a character device)"},
		"directory":              {path: dir, wantErr: "read parameter file " + dir + ": not a regular file (a directory)"},
		"larger than the limit":  {path: big, wantErr: "read parameter file " + big + ": larger than 2 MiB, the most samship reads of a parameter file"},
		"missing":                {path: filepath.Join(dir, "none"), wantErr: "read parameter file " + filepath.Join(dir, "none") + ": no such file or directory"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			done := make(chan struct{})
			var got []byte
			var err error
			go func() { got, err = Read("parameter file", tc.path, 2*MiB); close(done) }()
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				t.Fatalf("Read(%s) blocked", tc.path)
			}
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("Read(%s) = %v, want error %q", tc.path, err, tc.wantErr)
				}
				if strings.Contains(err.Error(), "\n") {
					t.Errorf("Read(%s) error has more than one line", tc.path)
				}
				return
			}
			if err != nil || string(got) != tc.want {
				t.Errorf("Read(%s) = %q, %v, want %q", tc.path, got, err, tc.want)
			}
		})
	}
	if _, err := Read("config file", filepath.Join(dir, "none"), MiB); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Read(missing) = %v, want an error wrapping fs.ErrNotExist", err)
	}
}
