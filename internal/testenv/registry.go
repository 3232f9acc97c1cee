package testenv

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"
)

// Registry is a running Debian docker-registry (the CNCF distribution registry).
type Registry struct {
	// URL is its endpoint, e.g. http://127.0.0.1:43125.
	URL string
	cmd *exec.Cmd
	dir string
}

// StartRegistry starts docker-registry on a free 127.0.0.1 port with storage in a scratch
// directory, and waits until it answers.
func StartRegistry() (*Registry, error) {
	bin, err := exec.LookPath("docker-registry")
	if err != nil {
		return nil, errors.New("docker-registry not found on PATH: the tests need Debian's docker-registry (make deps installs it)")
	}
	dir, err := os.MkdirTemp("", "samship-registry-")
	if err != nil {
		return nil, err
	}
	port, err := FreePort()
	if err != nil {
		return nil, err
	}
	cfg := fmt.Sprintf("version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: %s\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:%d\n",
		filepath.Join(dir, "data"), port)
	if err := os.WriteFile(filepath.Join(dir, "config.yml"), []byte(cfg), 0o644); err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "serve", filepath.Join(dir, "config.yml"))
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start docker-registry: %w", err)
	}
	r := &Registry{URL: fmt.Sprintf("http://127.0.0.1:%d", port), cmd: cmd, dir: dir}
	client := &http.Client{Timeout: time.Second}
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if resp, err := client.Get(r.URL + "/v2/"); err == nil {
			resp.Body.Close()
			return r, nil
		}
	}
	r.Stop()
	return nil, fmt.Errorf("docker-registry did not answer on %s", r.URL)
}

// Stop ends the registry and removes its storage.
func (r *Registry) Stop() {
	if r.cmd.Process != nil {
		_ = syscall.Kill(-r.cmd.Process.Pid, syscall.SIGKILL)
		_ = r.cmd.Wait()
	}
	os.RemoveAll(r.dir)
}
