// Package testenv starts the local services tests and benchmarks run against: moto (AWS,
// through the project's launcher, which adds the SAM transform and fixes what moto gets
// wrong) and docker-registry, on free 127.0.0.1 ports. It never talks to anything off the
// loopback range.
package testenv

import (
	_ "embed"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Moto is a running moto_server.
type Moto struct {
	// URL is the endpoint, e.g. http://127.0.0.1:43123.
	URL string
	cmd *exec.Cmd
	dir string
}

// motoPython finds the Python that has moto and aws-sam-translator: python3 on PATH, else
// the interpreter named by moto_server's own script.
func motoPython() (string, error) {
	var tried []string
	candidates := []string{"python3"}
	if ms, err := exec.LookPath("moto_server"); err == nil {
		candidates = append(candidates, filepath.Join(filepath.Dir(ms), "python3"))
		if real, err := exec.Command("pyenv", "which", "moto_server").Output(); err == nil {
			candidates = append(candidates, filepath.Join(filepath.Dir(strings.TrimSpace(string(real))), "python3"))
		}
	}
	for _, c := range candidates {
		out, err := exec.Command(c, "-c", "import moto.server, samtranslator").CombinedOutput()
		if err == nil {
			return c, nil
		}
		tried = append(tried, c+": "+lastLine(string(out), err))
	}
	return "", fmt.Errorf("no Python with moto and aws-sam-translator (the local AWS emulator; pip packages moto[server] and aws-sam-translator): %s", strings.Join(tried, "; "))
}

func lastLine(out string, err error) string {
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if l := lines[len(lines)-1]; l != "" {
		return l
	}
	return err.Error()
}

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// launcher is moto_server with the SAM transform and the emulator fixes (see its docstring).
//
//go:embed moto_launcher.py
var launcher []byte

// StartMoto starts moto through the launcher, bound to 127.0.0.1 on a free port, and waits
// until it answers.
func StartMoto() (*Moto, error) {
	bin, err := motoPython()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "samship-moto-")
	if err != nil {
		return nil, err
	}
	script := filepath.Join(dir, "moto_launcher.py")
	if err := os.WriteFile(script, launcher, 0o644); err != nil {
		return nil, err
	}
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		port, err := FreePort()
		if err != nil {
			return nil, fmt.Errorf("find a free port: %w", err)
		}
		cmd := exec.Command(bin, script, "-H", "127.0.0.1", "-p", strconv.Itoa(port))
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		if os.Getenv("SAMSHIP_MOTO_LOG") == "" {
			cmd.Stdout, cmd.Stderr = nil, nil
		} else {
			cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		}
		if err := cmd.Start(); err != nil {
			return nil, fmt.Errorf("start moto_server: %w", err)
		}
		m := &Moto{URL: "http://127.0.0.1:" + strconv.Itoa(port), cmd: cmd, dir: dir}
		if lastErr = m.waitReady(30 * time.Second); lastErr == nil {
			return m, nil
		}
		m.Stop()
	}
	return nil, lastErr
}

func (m *Moto) waitReady(limit time.Duration) error {
	deadline := time.Now().Add(limit)
	client := &http.Client{Timeout: time.Second}
	exited := make(chan struct{})
	go func() { _ = m.cmd.Wait(); close(exited) }()
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return fmt.Errorf("moto_server exited before it answered on %s", m.URL)
		default:
		}
		resp, err := client.Get(m.URL + "/moto-api/")
		if err == nil {
			resp.Body.Close()
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("moto_server did not answer on %s within %s", m.URL, limit)
}

// Reset drops all of moto's state.
func (m *Moto) Reset() error {
	resp, err := http.Post(m.URL+"/moto-api/reset", "application/json", nil)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// Stop ends moto_server and its children.
func (m *Moto) Stop() {
	if m.cmd.Process != nil {
		_ = syscall.Kill(-m.cmd.Process.Pid, syscall.SIGKILL)
		_ = m.cmd.Wait() // reap it
	}
	os.RemoveAll(m.dir)
}

// Env returns the environment a samship process needs to talk to this moto only: endpoint,
// fake static credentials, a region, and no instance-metadata probing.
func (m *Moto) Env() map[string]string {
	return map[string]string{
		"AWS_ENDPOINT_URL":                 m.URL,
		"AWS_ACCESS_KEY_ID":                "testing",
		"AWS_SECRET_ACCESS_KEY":            "testing",
		"AWS_SESSION_TOKEN":                "",
		"AWS_REGION":                       "us-east-1",
		"AWS_DEFAULT_REGION":               "us-east-1",
		"AWS_PROFILE":                      "",
		"AWS_CONFIG_FILE":                  os.DevNull,
		"AWS_SHARED_CREDENTIALS_FILE":      os.DevNull,
		"AWS_EC2_METADATA_DISABLED":        "true",
		"AWS_REQUEST_CHECKSUM_CALCULATION": "when_required",
	}
}

// Environ returns the current process environment with every AWS_* variable replaced by
// Env's, for running a samship process against m.
func Environ(m *Moto) []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") {
			out = append(out, kv)
		}
	}
	for k, v := range m.Env() {
		out = append(out, k+"="+v)
	}
	return out
}
