package depinstall

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
)

// RunOptions says where and for what platform an install runs.
type RunOptions struct {
	Root          string    // the files the build put in the stage so far, at their image paths under Root
	Workdir       string    // the image's working directory ("/var/task")
	Arch          string    // "amd64" or "arm64"
	PythonVersion string    // for pip: "3.12" (the command's or the base image's)
	Out           string    // an empty directory: the install writes what it adds here, at image paths
	Stdout        io.Writer // the tool's output (nil: discarded)
	Stderr        io.Writer // the tool's errors (nil: discarded; the last line is in Run's error)
	Env           []string  // the tool's environment (nil: os.Environ()); the user's PIP_*/npm_config_* pass through
}

// tool is a pip or npm found on this machine.
type tool struct {
	argv    []string // how to run it: "python3 -m pip", "pip3", "npm"
	version string   // its --version, first line
	python  string   // pip: the interpreter it runs under (sys.executable)
	err     error
}

var (
	toolsMu sync.Mutex
	tools   = map[string]*tool{}
)

// findTool finds pip or npm on PATH once per process, with its version.
func findTool(ctx context.Context, name string) (*tool, error) {
	toolsMu.Lock()
	defer toolsMu.Unlock()
	if t, ok := tools[name]; ok {
		return t, t.err
	}
	var candidates [][]string
	if name == "pip" {
		candidates = [][]string{{"python3", "-m", "pip"}, {"pip3"}, {"pip"}}
	} else {
		candidates = [][]string{{"npm"}}
	}
	t := &tool{err: fmt.Errorf("%s is needed on this machine (%s on PATH), or build with an engine (--engine)", name, describe(candidates))}
	for _, argv := range candidates {
		if _, err := exec.LookPath(argv[0]); err != nil {
			continue
		}
		out, err := exec.CommandContext(ctx, argv[0], append(argv[1:], "--version")...).Output()
		if err != nil {
			continue
		}
		t.argv, t.err = argv, nil
		t.version = strings.TrimSpace(strings.SplitN(string(out), "\n", 2)[0])
		if name == "pip" {
			// "pip 23.2.1 from /x/site-packages/pip (python 3.11)": the interpreter is asked.
			py := argv[0]
			if argv[0] != "python3" {
				py = pipPython(argv[0])
			}
			if b, err := exec.CommandContext(ctx, py, "-c", "import sys; print(sys.executable)").Output(); err == nil {
				t.python = strings.TrimSpace(string(b))
			}
		}
		break
	}
	tools[name] = t
	return t, t.err
}

// pipPython is the interpreter a pip script's #! line names, or "python3".
func pipPython(pip string) string {
	p, err := exec.LookPath(pip)
	if err != nil {
		return "python3"
	}
	b, err := os.ReadFile(p)
	if err != nil || !bytes.HasPrefix(b, []byte("#!")) {
		return "python3"
	}
	line, _, _ := strings.Cut(string(b[2:]), "\n")
	if f := strings.Fields(line); len(f) == 1 {
		return f[0]
	}
	return "python3"
}

func describe(candidates [][]string) string {
	var s []string
	for _, c := range candidates {
		s = append(s, strings.Join(c, " "))
	}
	if len(s) == 1 {
		return s[0]
	}
	return strings.Join(s[:len(s)-1], ", ") + " or " + s[len(s)-1]
}

// Key is the layer-cache key of the install: a sha256 hex over the normalised command, the
// image's and this machine's settings for the tool (PIP_*, npm_config_*), the contents of
// Inputs, Arch, PythonVersion, the working directory, and the tool's version (asked once
// per process).
func (in *Install) Key(ctx context.Context, opts RunOptions) (string, error) {
	inputs, err := in.Inputs(opts)
	if err != nil {
		return "", err
	}
	// As docker build's cache, the key is the command and the files it reads, not the tool's
	// version: asking pip its version costs about a second, which is the whole budget of a
	// code-only rebuild. Which tool runs is in it (the path PATH finds), without running it.
	h := sha256.New()
	fmt.Fprintf(h, "samship depinstall 2\x00%s\x00%s\x00%s\x00%s\x00%s\x00", in, opts.Arch, opts.PythonVersion, opts.Workdir, toolPath(in.Tool))
	for _, e := range in.env(opts) {
		fmt.Fprintf(h, "env %s\x00", e)
	}
	for _, p := range inputs {
		b, err := os.ReadFile(filepath.Join(opts.Root, filepath.FromSlash(p)))
		if err != nil {
			return "", fmt.Errorf("%s: %w", in, err)
		}
		sum := sha256.Sum256(b)
		fmt.Fprintf(h, "file %s %x\x00", p, sum)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// toolPath is where PATH finds the program that would run the tool, "" when none.
func toolPath(name string) string {
	prog := "npm"
	if name == "pip" {
		prog = "python3"
	}
	p, _ := exec.LookPath(prog)
	return p
}

// env is the tool's environment: this machine's (or opts.Env), then the image's settings
// for the tool, which a RUN in the image would see.
func (in *Install) env(opts RunOptions) []string {
	base := opts.Env
	if base == nil {
		base = os.Environ()
	}
	var out []string
	for _, e := range base {
		k, _, _ := strings.Cut(e, "=")
		if in.Tool == "pip" && strings.HasPrefix(k, "PIP_") ||
			in.Tool == "npm" && strings.HasPrefix(strings.ToLower(k), "npm_config_") {
			out = append(out, e)
		}
	}
	return append(out, in.toolEnv...)
}

// tail keeps the last lines written to it, passing everything on to w.
type tail struct {
	w       io.Writer
	partial []byte
	lines   []string
}

func (l *tail) Write(p []byte) (int, error) {
	l.partial = append(l.partial, p...)
	for {
		i := bytes.IndexByte(l.partial, '\n')
		if i < 0 {
			break
		}
		l.lines = append(l.lines, strings.TrimSpace(string(l.partial[:i])))
		if len(l.lines) > 400 {
			l.lines = l.lines[len(l.lines)-200:]
		}
		l.partial = l.partial[i+1:]
	}
	if l.w == nil {
		return len(p), nil
	}
	return l.w.Write(p)
}

func (l *tail) all() []string {
	if s := strings.TrimSpace(string(l.partial)); s != "" {
		l.lines = append(l.lines, s)
	}
	l.partial = nil
	return l.lines
}

// lastLine is pip's error: its last line that says something.
func lastLine(lines []string) string {
	for i := len(lines) - 1; i >= 0; i-- {
		if lines[i] != "" {
			return lines[i]
		}
	}
	return ""
}

// npmDetail is the fields npm prints before its message.
var npmDetail = regexp.MustCompile(`^(code|errno|syscall|path|dest|signal|command|cwd|A complete log of this run)\b`)

// npmMessage is npm's error: the first paragraph of its "npm error" lines that is not a
// field (code, path…), in one line, without the code npm repeats before each line.
func npmMessage(lines []string) string {
	var code string
	var msg []string
	for _, l := range lines {
		rest, ok := strings.CutPrefix(l, "npm error")
		if !ok {
			continue
		}
		rest = strings.TrimSpace(rest)
		if c, ok := strings.CutPrefix(rest, "code "); ok && code == "" {
			code = strings.ToLower(c)
		}
		if npmDetail.MatchString(rest) {
			continue
		}
		if code != "" {
			rest = strings.TrimSpace(strings.TrimPrefix(rest, code))
		}
		if rest == "" {
			if len(msg) > 0 {
				break
			}
			continue
		}
		msg = append(msg, rest)
	}
	if len(msg) == 0 {
		return lastLine(lines)
	}
	return strings.Join(msg, " ")
}

// run runs the tool with args in dir, returning an error of one line.
func (in *Install) run(ctx context.Context, t *tool, dir string, args []string, env []string, opts RunOptions, summary func([]string) string) error {
	stderr := &tail{w: opts.Stderr}
	stdout := opts.Stdout
	if stdout == nil {
		stdout = io.Discard
	}
	argv := append(append([]string{}, t.argv...), args...)
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Dir, cmd.Env, cmd.Stdout, cmd.Stderr = dir, env, stdout, stderr
	if err := cmd.Run(); err != nil {
		if last := summary(stderr.all()); last != "" {
			return fmt.Errorf("%s: %w: %s", in, err, last)
		}
		return fmt.Errorf("%s: %w", in, err)
	}
	return nil
}
