package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// syncRun is what one `samship sync --code` took and said.
type syncRun struct {
	wall    time.Duration
	push    time.Duration // its "Images: … (N s)" line; 0 when nothing was pushed
	build   time.Duration // the longest of its "Built" lines
	serving time.Duration // the latest of its "serving after" times
	updated int           // functions its "Sync done" line says were updated
	calls   string        // AWS calls by operation, from --debug's "aws call" lines
	total   int
	said    int            // the calls --debug's "aws calls:" summary counts
	writes  int            // UpdateFunctionCode, PublishVersion, UpdateAlias and PutImage calls
	regPuts int            // blob uploads and manifest puts the counting proxy saw
	opMs    map[string]int // milliseconds spent in each AWS operation (--debug's "aws call" lines)
	out     string
}

var (
	syncBuiltLine   = regexp.MustCompile(`(?m)^Built \S+: sha256:[0-9a-f]+ in ([0-9.]+) s`)
	syncServingLine = regexp.MustCompile(`(?m)^\tSynced \S+: sha256:[0-9a-f]+ serving after ([0-9.]+) s`)
	syncDoneLine    = regexp.MustCompile(`(?m)^Sync done: (\d+) functions? updated`)
	awsCallLine     = regexp.MustCompile(`(?m)^aws call (\S+) (\d+)ms`)
	watchRoundLine  = regexp.MustCompile(`^(.*) serving ([0-9.]+) s after the save$`)
)

// writeOps are the AWS operations that change what a function runs or what ECR holds.
var writeOps = map[string]bool{"UpdateFunctionCode": true, "PublishVersion": true, "UpdateAlias": true, "CreateAlias": true, "PutImage": true}

// byOperation spells counts as the "aws calls:" summary does: "Op×n, …", sorted.
func byOperation(counts map[string]int) string {
	var out []string
	for op, n := range counts {
		out = append(out, fmt.Sprintf("%s×%d", op, n))
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}

// sync runs `samship sync --code --no-prompts --debug` of stack in the app directory app.
func (e *syncEnv) sync(bin, app, stack string) (syncRun, error) {
	_, _, up0, man0 := e.mt.snapshot()
	d, out, err := samshipCmd(bin, app, e.env, "sync", "--code", "--no-prompts", "--debug", "--stack-name", stack)
	r := syncRun{wall: d, out: out, opMs: map[string]int{}}
	if err != nil {
		return r, err
	}
	_, _, up1, man1 := e.mt.snapshot()
	r.regPuts = up1 - up0 + man1 - man0
	if mm := imagesLine.FindStringSubmatch(out); mm != nil {
		r.push = seconds(mm[5])
	}
	for _, mm := range syncBuiltLine.FindAllStringSubmatch(out, -1) {
		r.build = max(r.build, seconds(mm[1]))
	}
	for _, mm := range syncServingLine.FindAllStringSubmatch(out, -1) {
		r.serving = max(r.serving, seconds(mm[1]))
	}
	mm := syncDoneLine.FindStringSubmatch(out)
	if mm == nil {
		return r, fmt.Errorf("samship sync: no Sync done line in its output:\n%s", tail(out))
	}
	r.updated, _ = strconv.Atoi(mm[1])
	// Counted from the per-call lines: the "aws calls:" summary of a sync counts only the
	// calls of the second of the two SDK client sets it makes (see the section's notes).
	counts := map[string]int{}
	for _, cm := range awsCallLine.FindAllStringSubmatch(out, -1) {
		op := cm[1][strings.Index(cm[1], ":")+1:]
		ms, _ := strconv.Atoi(cm[2])
		counts[op]++
		r.opMs[op] += ms
		r.total++
		if writeOps[op] {
			r.writes++
		}
	}
	r.calls = byOperation(counts)
	_, r.said = parseCalls(out)
	return r, nil
}

func seconds(s string) time.Duration {
	f, _ := strconv.ParseFloat(s, 64)
	return time.Duration(f * float64(time.Second))
}

// watchRun is one save during `samship sync --code --watch`: the time from the save to the
// sync's "serving … after the save" line, as the bench saw it and as samship says.
type watchRun struct {
	seen, said time.Duration
}

// watch starts `samship sync --code --watch` of stack in app, saves a code change runs
// times, each once the last is serving, and stops it with an interrupt.
func (e *syncEnv) watch(bin, app, stack string, runs int) ([]watchRun, error) {
	cmd := exec.Command(bin, "sync", "--code", "--watch", "--no-prompts", "--stack-name", stack)
	cmd.Dir, cmd.Env = app, e.env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	pipe, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	lines := make(chan string, 100)
	var said strings.Builder // everything it printed, for errors
	go func() {
		sc := bufio.NewScanner(pipe)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	defer func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() {
			for range lines { // drain, so that it can exit
			}
			close(done)
		}()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
		_ = cmd.Wait()
	}()
	// await reads lines until one matches re, and returns its submatches.
	await := func(re *regexp.Regexp) ([]string, error) {
		deadline := time.After(2 * time.Minute)
		for {
			select {
			case l, ok := <-lines:
				if !ok {
					return nil, fmt.Errorf("samship sync --watch exited before %q:\n%s", re, tail(said.String()))
				}
				said.WriteString(l + "\n")
				if strings.HasPrefix(l, "Sync of ") && strings.Contains(l, " failed: ") {
					return nil, fmt.Errorf("samship sync --watch: %s", l)
				}
				if mm := re.FindStringSubmatch(l); mm != nil {
					return mm, nil
				}
			case <-deadline:
				return nil, fmt.Errorf("samship sync --watch: no %q within 2 minutes:\n%s", re, tail(said.String()))
			}
		}
	}
	if _, err := await(regexp.MustCompile(`^Watching for changes`)); err != nil {
		return nil, err
	}
	var out []watchRun
	for i := 0; i < runs; i++ {
		time.Sleep(time.Second) // the watcher's walk settles, as between a person's saves
		saved := time.Now()
		body := fmt.Sprintf("def handler(event, context):\n    return \"watch-%d-%d\"\n", i+1, saved.UnixNano())
		if err := os.WriteFile(filepath.Join(app, "shared", "app.py"), []byte(body), 0o644); err != nil {
			return nil, err
		}
		mm, err := await(watchRoundLine)
		if err != nil {
			return nil, err
		}
		out = append(out, watchRun{seen: time.Since(saved), said: seconds(mm[2])})
	}
	return out, nil
}
