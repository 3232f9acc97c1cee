// Package testenv starts the local services tests and benchmarks run against: moto_server
// (AWS) on a free 127.0.0.1 port. It never talks to anything off the loopback range.
package testenv

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
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

// StartMoto starts moto_server bound to 127.0.0.1 on a free port and waits until it answers.
func StartMoto() (*Moto, error) {
	bin, err := exec.LookPath("moto_server")
	if err != nil {
		return nil, errors.New("moto_server not found on PATH: the tests need the local AWS emulator (pip package moto[server])")
	}
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		port, err := FreePort()
		if err != nil {
			return nil, fmt.Errorf("find a free port: %w", err)
		}
		cmd := exec.Command(bin, "-H", "127.0.0.1", "-p", strconv.Itoa(port))
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		if os.Getenv("SAMSHIP_MOTO_LOG") == "" {
			cmd.Stdout, cmd.Stderr = nil, nil
		} else {
			cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		}
		if err := cmd.Start(); err != nil {
			return nil, fmt.Errorf("start moto_server: %w", err)
		}
		m := &Moto{URL: "http://127.0.0.1:" + strconv.Itoa(port), cmd: cmd}
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
