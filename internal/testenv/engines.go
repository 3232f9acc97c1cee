package testenv

import (
	"archive/tar"
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"
)

// Engine is a real Docker or Podman engine started on a private socket, with its own storage
// in a scratch directory and no network: images are built FROM scratch (nothing can be
// pulled here), as `sam build` leaves them in the engine users have.
type Engine struct {
	// Name is "docker" or "podman"; Host is the DOCKER_HOST value that reaches the engine.
	Name, Host string
	cmd        *exec.Cmd
	dir        string
	client     *http.Client
}

// StartDockerd starts Debian's dockerd as the project runs it: a private socket, its own data
// root, no bridge and no iptables, the vfs storage driver.
func StartDockerd() (*Engine, error) {
	return startEngine("docker", "dockerd", func(dir, sock string) []string {
		return []string{"--host", "unix://" + sock, "--data-root", filepath.Join(dir, "data"),
			"--exec-root", filepath.Join(dir, "exec"), "--pidfile", filepath.Join(dir, "docker.pid"),
			"--bridge=none", "--iptables=false", "--ip6tables=false", "--storage-driver=vfs"}
	})
}

// StartPodman starts Debian's podman serving the Docker engine API (podman system service)
// with its own storage.
func StartPodman() (*Engine, error) {
	return startEngine("podman", "podman", func(dir, sock string) []string {
		return []string{"--root", filepath.Join(dir, "root"), "--runroot", filepath.Join(dir, "run"),
			"--storage-driver", "vfs", "system", "service", "--time=0", "unix://" + sock}
	})
}

func startEngine(name, bin string, args func(dir, sock string) []string) (*Engine, error) {
	path, err := exec.LookPath(bin)
	if err != nil {
		return nil, fmt.Errorf("%s not found on PATH: the engine tests need Debian's %s (make deps installs it)", bin, map[string]string{"docker": "docker.io", "podman": "podman"}[name])
	}
	dir, err := os.MkdirTemp("", "samship-"+name+"-")
	if err != nil {
		return nil, err
	}
	sock := filepath.Join(dir, name+".sock")
	cmd := exec.Command(path, args(dir, sock)...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	logf, err := os.Create(filepath.Join(dir, "log"))
	if err != nil {
		return nil, err
	}
	defer logf.Close()
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	e := &Engine{Name: name, Host: "unix://" + sock, cmd: cmd, dir: dir, client: &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", sock)
		}}}}
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if resp, err := e.client.Get("http://engine/_ping"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return e, nil
			}
		}
	}
	log, _ := os.ReadFile(filepath.Join(dir, "log"))
	e.Stop()
	return nil, fmt.Errorf("%s did not answer on %s within 60 s: %s", bin, sock, lastLines(string(log), 3))
}

func lastLines(s string, n int) string {
	lines := bytes.Split(bytes.TrimSpace([]byte(s)), []byte("\n"))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return string(bytes.Join(lines, []byte(" | ")))
}

// Build builds an image from the files of a build context (one of them the Dockerfile) and
// tags it tag, for platform ("linux/arm64", as docker build --platform) when one is given; it
// returns the image id.
func (e *Engine) Build(ctx context.Context, tag string, files map[string][]byte, platform ...string) (string, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if err := tw.WriteHeader(&tar.Header{Name: n, Mode: 0o644, Size: int64(len(files[n])), Typeflag: tar.TypeReg, ModTime: time.Unix(0, 0)}); err != nil {
			return "", err
		}
		tw.Write(files[n])
	}
	if err := tw.Close(); err != nil {
		return "", err
	}
	q := url.Values{"t": {tag}}
	if len(platform) > 0 {
		q.Set("platform", platform[0])
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://engine/build?"+q.Encode(), &buf)
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-tar")
	resp, err := e.client.Do(req)
	if err != nil {
		return "", fmt.Errorf("build %s: %w", tag, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		return "", fmt.Errorf("build %s: %s: %s", tag, resp.Status, bytes.TrimSpace(b))
	}
	id := ""
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		var m struct {
			Error string
			Aux   struct{ ID string }
		}
		if json.Unmarshal(sc.Bytes(), &m) == nil {
			if m.Error != "" {
				return "", fmt.Errorf("build %s: %s", tag, m.Error)
			}
			if m.Aux.ID != "" {
				id = m.Aux.ID
			}
		}
	}
	if id == "" {
		return "", errors.New("build " + tag + ": the engine gave no image id")
	}
	return id, sc.Err()
}

// Load loads a docker archive (the format of docker save) read from r into the engine, as
// docker load does, and returns the names of the images it loaded.
func (e *Engine) Load(ctx context.Context, r io.Reader) ([]string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://engine/images/load?quiet=1", r)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-tar")
	resp, err := e.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("load image: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		return nil, fmt.Errorf("load image: %s: %s", resp.Status, bytes.TrimSpace(b))
	}
	var loaded []string
	dec := json.NewDecoder(resp.Body)
	for {
		var m struct{ Stream, Error string }
		if err := dec.Decode(&m); err == io.EOF {
			break
		} else if err != nil {
			return nil, fmt.Errorf("load image: read the engine's answer: %w", err)
		}
		if m.Error != "" {
			return nil, fmt.Errorf("load image: %s", m.Error)
		}
		for _, prefix := range []string{"Loaded image: ", "Loaded image ID: "} {
			if rest, ok := strings.CutPrefix(strings.TrimSpace(m.Stream), prefix); ok {
				loaded = append(loaded, rest)
			}
		}
	}
	if len(loaded) == 0 {
		return nil, errors.New("load image: the engine loaded nothing")
	}
	return loaded, nil
}

// Remove deletes the engine's image ref (a name or an id), forcing as docker rmi -f does;
// layers no other image uses are deleted with it.
func (e *Engine) Remove(ctx context.Context, ref string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodDelete, "http://engine/images/"+ref+"?force=1", nil)
	if err != nil {
		return err
	}
	resp, err := e.client.Do(req)
	if err != nil {
		return fmt.Errorf("remove image %s: %w", ref, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("remove image %s: %s: %s", ref, resp.Status, bytes.TrimSpace(b))
	}
	return nil
}

// Stop ends the engine and removes its storage.
func (e *Engine) Stop() {
	if e.cmd.Process != nil {
		_ = syscall.Kill(-e.cmd.Process.Pid, syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = e.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = syscall.Kill(-e.cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
	}
	os.RemoveAll(e.dir)
}
