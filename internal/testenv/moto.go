// Package testenv is the local AWS that tests, the demo, benchmarks and make local-aws run
// against, on free 127.0.0.1 ports: moto through the project's launcher (package localaws:
// the SAM transform, language extensions, and fixes where moto differs from AWS),
// docker-registry behind a front that makes it one store with moto's ECR, Docker and Podman
// engines holding images as sam build leaves them, proxies that inject faults and AWS-like
// latency, and helpers that make images, templates and golden files. It never talks to
// anything off the loopback range.
package testenv

import (
	"embed"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Moto is a running moto_server.
type Moto struct {
	// URL is the endpoint, e.g. http://127.0.0.1:43123.
	URL string
	cmd *exec.Cmd
	dir string
	// exited is closed once cmd has been waited for (its one Wait: a second would block on
	// the copying of its stderr, which the first has finished).
	exited chan struct{}
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

// launcher is the Python package localaws: moto_server with the SAM transform and the
// emulator fixes (see localaws/__init__.py). It is embedded, so that a binary built from
// internal/testenv (tools/localaws, the demo) runs it from anywhere; its tests (localaws/tests)
// are not.
//
//go:embed localaws/*.py
var launcher embed.FS

// writeLauncher copies the launcher package into dir/localaws, for `python3 -m localaws` run
// in dir.
func writeLauncher(dir string) error {
	files, err := fs.Glob(launcher, "localaws/*.py")
	if err != nil {
		return err
	}
	if err := os.Mkdir(filepath.Join(dir, "localaws"), 0o755); err != nil {
		return err
	}
	for _, name := range files {
		data, err := launcher.ReadFile(name)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(name)), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// MotoOption changes how StartMoto's moto behaves.
type MotoOption func(*motoOptions)

type motoOptions struct {
	env []string // added to the launcher's environment
}

// AWSLikeLambdaUpdate is how long an image function's UpdateFunctionCode stays
// LastUpdateStatus InProgress on AWS: a few seconds (about 2–6 s for a small image); 3 s.
const AWSLikeLambdaUpdate = 3 * time.Second

// LambdaUpdateTime makes every UpdateFunctionCode stay LastUpdateStatus InProgress for d,
// as on AWS, and refuses another UpdateFunctionCode or a PublishVersion of the function
// meanwhile (ResourceConflictException); 0, the default, is moto's update done at once. It
// sets the launcher's SAMSHIP_LAMBDA_UPDATE_SECONDS, which a moto started with that variable
// in its environment (make local-aws) reads too.
func LambdaUpdateTime(d time.Duration) MotoOption {
	return func(o *motoOptions) {
		o.env = append(o.env, "SAMSHIP_LAMBDA_UPDATE_SECONDS="+strconv.FormatFloat(max(d, 0).Seconds(), 'f', -1, 64))
	}
}

// StartMoto starts moto through the launcher, bound to 127.0.0.1 on a free port, and waits
// until it answers.
func StartMoto(opts ...MotoOption) (*Moto, error) {
	var o motoOptions
	for _, opt := range opts {
		opt(&o)
	}
	bin, err := motoPython()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "samship-moto-")
	if err != nil {
		return nil, err
	}
	if err := writeLauncher(dir); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return startIn(bin, dir, o.env)
}

// startIn runs the launcher copied into dir with bin and env added to this process's
// environment, trying up to three free ports; dir goes with the Moto (or is removed on
// failure).
func startIn(bin, dir string, env []string) (*Moto, error) {
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		port, err := FreePort()
		if err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("find a free port: %w", err)
		}
		cmd := exec.Command(bin, "-m", "localaws", "-H", "127.0.0.1", "-p", strconv.Itoa(port))
		cmd.Dir = dir // python3 -m finds the package in its working directory, before anything on PYTHONPATH
		cmd.Env = append(os.Environ(), env...)
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		// The launcher's last words (a version or patch target it does not find, a port
		// taken) are the reason it did not start.
		stderr := &tail{}
		if os.Getenv("SAMSHIP_MOTO_LOG") == "" {
			cmd.Stdout, cmd.Stderr = nil, stderr
		} else {
			cmd.Stdout, cmd.Stderr = os.Stderr, io.MultiWriter(os.Stderr, stderr)
		}
		if err := cmd.Start(); err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("start moto_server: %w", err)
		}
		m := &Moto{URL: "http://127.0.0.1:" + strconv.Itoa(port), cmd: cmd, dir: dir, exited: make(chan struct{})}
		go func() { _ = cmd.Wait(); close(m.exited) }()
		lastErr = m.waitReady(30 * time.Second)
		if lastErr == nil {
			return m, nil
		}
		m.stop(false) // the next attempt runs the same copy of the launcher
		line := stderr.lastLine()
		if line != "" {
			lastErr = fmt.Errorf("%w: %s", lastErr, line)
		}
		if strings.HasPrefix(line, "localaws: ") { // the launcher refused this moto: another port will not help
			break
		}
	}
	os.RemoveAll(dir)
	return nil, lastErr
}

// tail keeps the last few KiB written to it.
type tail struct {
	mu  sync.Mutex
	buf []byte
}

func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - 8<<10; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
	return len(p), nil
}

// lastLine is the last non-empty line written.
func (t *tail) lastLine() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	lines := strings.Split(strings.TrimSpace(string(t.buf)), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

func (m *Moto) waitReady(limit time.Duration) error {
	deadline := time.Now().Add(limit)
	client := &http.Client{Timeout: time.Second}
	for time.Now().Before(deadline) {
		select {
		case <-m.exited:
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
func (m *Moto) Stop() { m.stop(true) }

func (m *Moto) stop(removeDir bool) {
	if m.cmd.Process != nil {
		_ = syscall.Kill(-m.cmd.Process.Pid, syscall.SIGKILL)
		<-m.exited // reaped
	}
	if removeDir {
		os.RemoveAll(m.dir)
	}
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
