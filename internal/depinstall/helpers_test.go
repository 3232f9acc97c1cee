package depinstall

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// needTool skips the test when pip or npm is not on this machine.
func needTool(t *testing.T, name string) {
	t.Helper()
	if _, err := findTool(context.Background(), name); err != nil {
		t.Skipf("%s not found on PATH: %v", name, err)
	}
}

// pipEnv is the environment that points pip at wheels in dir instead of an index.
func pipEnv(dir string) []string {
	return append(os.Environ(), "PIP_NO_INDEX=1", "PIP_FIND_LINKS="+dir, "PIP_DISABLE_PIP_VERSION_CHECK=1", "PIP_NO_CACHE_DIR=1")
}

// npmEnv is the environment that keeps npm off the network, with its cache in t's directory.
func npmEnv(t *testing.T) []string {
	return append(os.Environ(), "npm_config_offline=true", "npm_config_cache="+t.TempDir(), "npm_config_update_notifier=false")
}

// writeFiles writes files (image path → content) under root.
func writeFiles(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for p, c := range files {
		host := filepath.Join(root, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(host), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(host, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// copyInto copies the file from into root at the image path p.
func copyInto(t *testing.T, from, root, p string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	writeFiles(t, root, map[string]string{p: string(b)})
}

// tree lists what is under dir: path → mode and content hash (or link target).
func tree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		fi, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case fi.Mode()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			out[rel] = "-> " + target
		case fi.IsDir():
			out[rel+"/"] = fi.Mode().String()
		default:
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			out[rel] = fmt.Sprintf("%s %x", fi.Mode(), sha256.Sum256(b))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// mustRun recognises cmd (shell form) and runs it with opts, failing the test if either fails.
func mustRun(t *testing.T, cmd string, env map[string]string, opts RunOptions) {
	t.Helper()
	in, ok := Recognize(Command{Args: []string{cmd}, Shell: true, Env: env})
	if !ok {
		t.Fatalf("Recognize(%q) = not ok", cmd)
	}
	if err := in.Run(context.Background(), opts); err != nil {
		t.Fatalf("Run(%q): %v", cmd, err)
	}
}

// readOut reads the image path p from an install's output.
func readOut(t *testing.T, out, p string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(p)))
	if err != nil {
		t.Fatalf("read %s from the install: %v", p, err)
	}
	return string(b)
}
