package depinstall

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// longShebang is the #! form pip writes for an interpreter path too long for #!: a shell
// script that execs the interpreter.
var longShebang = regexp.MustCompile(`^#!/bin/sh\n'''exec' (\S+) "\$0" "\$@"\n' '''\n`)

// tidy makes what an install wrote the same on every machine and every run: compiled
// Python removed, direct_url.json naming a file: URL (this machine's scratch path) dropped,
// #! lines naming hostPython (this machine's interpreter) made to name the image's,
// /var/lang/bin/python<version>; files 0644 or 0755 when executable, directories 0755.
func tidy(root, hostPython, version string) error {
	var dirs []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		switch {
		case d.IsDir() && d.Name() == "__pycache__":
			if err := os.RemoveAll(p); err != nil {
				return err
			}
			return fs.SkipDir
		case d.IsDir():
			dirs = append(dirs, p)
			return nil
		case d.Type()&fs.ModeSymlink != 0 || !d.Type().IsRegular():
			return nil
		case strings.HasSuffix(d.Name(), ".pyc"):
			return os.Remove(p)
		case d.Name() == "direct_url.json" && strings.HasSuffix(filepath.Dir(p), ".dist-info"):
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			if bytes.Contains(b, []byte(`"file:`)) {
				return os.Remove(p)
			}
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		mode := fs.FileMode(0o644)
		if fi.Mode()&0o111 != 0 {
			mode = 0o755
		}
		if hostPython != "" && version != "" {
			if err := reshebang(p, hostPython, "/var/lang/bin/python"+version); err != nil {
				return err
			}
		}
		return os.Chmod(p, mode)
	})
	if err != nil {
		return err
	}
	for _, d := range dirs {
		if err := os.Chmod(d, 0o755); err != nil {
			return err
		}
	}
	return nil
}

// reshebang makes a script whose #! line runs host run image instead.
func reshebang(p, host, image string) error {
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	head := make([]byte, 2)
	n, _ := f.Read(head)
	f.Close()
	if n < 2 || string(head) != "#!" {
		return nil
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return err
	}
	var rest []byte
	if m := longShebang.FindSubmatchIndex(b); m != nil && string(b[m[2]:m[3]]) == host {
		rest = b[m[1]:]
	} else if line, after, ok := bytes.Cut(b, []byte("\n")); ok && string(bytes.TrimSpace(line[2:])) == host {
		rest = after
	} else {
		return nil
	}
	return os.WriteFile(p, append([]byte("#!"+image+"\n"), rest...), 0o600)
}
