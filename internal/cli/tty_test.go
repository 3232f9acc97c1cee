package cli_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/samship/samship/internal/testenv"
)

// terminal runs the real samship binary in a tmux pane.
type terminal struct {
	t      *testing.T
	dir    string
	socket string
}

var sessions atomic.Int32

// built is the samship binary the terminal tests run, built once per test binary.
var built struct {
	once      sync.Once
	dir, path string
	err       error
}

// builtSamship builds samship on first use and returns its path.
func builtSamship(t *testing.T) string {
	t.Helper()
	built.once.Do(func() {
		if built.dir, built.err = os.MkdirTemp("", "samship-bin-"); built.err != nil {
			return
		}
		built.path = filepath.Join(built.dir, "samship")
		if out, err := exec.Command("go", "build", "-o", built.path, "../../cmd/samship").CombinedOutput(); err != nil {
			built.err = fmt.Errorf("build samship: %w\n%s", err, out)
		}
	})
	if built.err != nil {
		t.Fatal(built.err)
	}
	return built.path
}

// removeBuilt removes the binary builtSamship made, after the tests.
func removeBuilt() {
	if built.dir != "" {
		os.RemoveAll(built.dir)
	}
}

// newTerminal makes a scratch directory holding template (the project) and starts `samship args...` in a 160x60 pane with the emulator's environment plus env. After
// samship exits the pane prints EXIT=<code>, then reads one line and prints GOT=<line>.
func newTerminal(t *testing.T, template string, env []string, args ...string) *terminal {
	t.Helper()
	return newTerminalSized(t, 160, 60, template, env, args...)
}

// newTerminalSized is newTerminal in a pane of cols×rows.
func newTerminalSized(t *testing.T, cols, rows int, template string, env []string, args ...string) *terminal {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Fatalf("tmux not found (make deps installs it): %v", err)
	}
	moto := testenv.SharedMoto(t)
	tm := &terminal{t: t, dir: t.TempDir(), socket: fmt.Sprintf("samship-test-%d-%d", os.Getpid(), sessions.Add(1))}
	bin := builtSamship(t)
	if err := os.WriteFile(filepath.Join(tm.dir, "template.yaml"), []byte(template), 0o644); err != nil {
		t.Fatal(err)
	}
	for k, v := range moto.Env() {
		env = append(env, k+"="+v)
	}
	// The trap keeps the wrapping shell alive when Ctrl-C reaches the pane.
	script := fmt.Sprintf("trap : INT; cd %s && env %s TERM=xterm-256color %s %s; echo EXIT=$?; read line; echo GOT=$line; sleep 60",
		tm.dir, strings.Join(env, " "), bin, strings.Join(args, " "))
	tm.tmux("new-session", "-d", "-s", "g", "-x", fmt.Sprint(cols), "-y", fmt.Sprint(rows), "sh", "-c", script)
	t.Cleanup(func() { exec.Command("tmux", "-L", tm.socket, "kill-server").Run() })
	return tm
}

func (tm *terminal) tmux(args ...string) string {
	tm.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-L", tm.socket}, args...)...).CombinedOutput()
	if err != nil {
		tm.t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// screen returns the pane's history and screen, wrapped lines joined, with colour escapes
// when escapes is set.
func (tm *terminal) screen(escapes bool) string {
	args := []string{"capture-pane", "-p", "-J", "-t", "g", "-S", "-2000"}
	if escapes {
		args = append(args, "-e")
	}
	return tm.tmux(args...)
}

// waitFor waits until text is on the screen and returns the screen with escapes.
func (tm *terminal) waitFor(text string) string {
	tm.t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if strings.Contains(tm.screen(false), text) {
			return tm.screen(true)
		}
	}
	tm.t.Fatalf("%q never appeared; screen:\n%s", text, tm.screen(false))
	return ""
}

// answer waits for question, then types answer and Enter.
func (tm *terminal) answer(question, answer string) {
	tm.t.Helper()
	tm.waitFor(question)
	tm.keys(answer)
	tm.tmux("send-keys", "-t", "g", "Enter")
}

// keys types text without Enter.
func (tm *terminal) keys(text string) {
	if text != "" {
		tm.tmux("send-keys", "-t", "g", "-l", text)
	}
}

func (tm *terminal) file(name string) string {
	b, _ := os.ReadFile(filepath.Join(tm.dir, name))
	return string(b)
}

// TestGuidedInTerminal drives the real binary through a guided deploy in a terminal, typing
// each answer when its question is on the screen: labels are bold on a terminal, a NoEcho
// answer is not echoed, and the deploy completes.
func TestGuidedInTerminal(t *testing.T) {
	testenv.Needs(t, "tmux and the local AWS")
	tpl, err := os.ReadFile("../../examples/hello/template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	withSecret := strings.Replace(string(tpl), "  Stage:", "  Secret:\n    Type: String\n    NoEcho: true\n  Stage:", 1)
	tm := newTerminal(t, withSecret, []string{"-u", "NO_COLOR", "SAMSHIP_REGISTRY_ENDPOINT=" + testenv.SharedECR(t)}, "deploy", "--guided")
	for _, fn := range []string{"hello", "world", "third"} {
		if err := testenv.WriteImage(filepath.Join(tm.dir, "images", fn), "oci-layout", 1024, 1); err != nil {
			t.Fatal(err)
		}
	}
	for _, step := range []struct{ question, answer string }{
		{"Stack Name [sam-app]:", "gtty"},
		{"AWS Region [us-east-1]:", ""},
		{"Parameter Secret:", "hunter2"},
		{"Parameter Stage [dev]:", "prod"},
		{"Confirm changes before deploy [y/N]:", "y"},
		{"Allow SAM CLI IAM role creation [Y/n]:", ""},
		{"Disable rollback [y/N]:", ""},
		{"Save arguments to configuration file [Y/n]:", ""},
		{"SAM configuration file [samconfig.toml]:", ""},
		{"SAM configuration environment [default]:", ""},
		{"Create managed ECR repositories for all functions? [Y/n]:", ""},
		{"Deploy this changeset? [y/N]:", "y"},
	} {
		tm.answer(step.question, step.answer)
	}
	tm.waitFor("EXIT=")
	plain := tm.screen(false)
	if !strings.Contains(plain, "Successfully created/updated stack - gtty in us-east-1") || !strings.Contains(plain, "EXIT=0") {
		t.Fatalf("guided deploy did not succeed:\n%s", plain)
	}
	if strings.Contains(plain, "hunter2") {
		t.Errorf("the NoEcho answer is on the screen:\n%s", plain)
	}
	if !strings.Contains(plain, `Parameter overrides          : {"Secret": "*****", "Stage": "prod"}`) {
		t.Errorf("summary lacks the masked overrides:\n%s", plain)
	}
	if colored := tm.screen(true); !strings.Contains(colored, "\x1b[1mStack Name\x1b[0m") || !strings.Contains(colored, "\x1b[33mConfiguring SAM deploy") {
		t.Errorf("labels are not bold, or headers not yellow, on a terminal:\n%q", colored)
	}
	if saved := tm.file("samconfig.toml"); !strings.Contains(saved, `parameter_overrides = "Stage=\"prod\""`) || strings.Contains(saved, "hunter2") {
		t.Errorf("samconfig.toml = %q", saved)
	}
}

// TestGuidedInterruptedInTerminal presses Ctrl-C at a question: the run aborts with exit 130,
// nothing is saved, the terminal echoes again; with NO_COLOR nothing is coloured.
func TestGuidedInterruptedInTerminal(t *testing.T) {
	testenv.Needs(t, "tmux and the local AWS")
	tpl := "Parameters:\n  Secret: {Type: String, NoEcho: true}\nResources:\n  Topic: {Type: AWS::SNS::Topic}\n"
	tm := newTerminal(t, tpl, []string{"NO_COLOR=1"}, "deploy", "--guided")
	tm.answer("Stack Name [sam-app]:", "gint")
	tm.answer("AWS Region [", "")
	tm.waitFor("Parameter Secret:")
	tm.keys("abc")
	tm.tmux("send-keys", "-t", "g", "C-c")
	tm.answer("EXIT=", "visible") // read by the shell after samship exited
	screen := tm.waitFor("GOT=visible")
	if !strings.Contains(screen, "Error: aborted: interrupted") || !strings.Contains(screen, "EXIT=130") {
		t.Errorf("Ctrl-C did not abort with exit 130:\n%s", screen)
	}
	if !strings.Contains(screen, "\nvisible") {
		t.Errorf("the terminal does not echo after the interrupted secret question:\n%s", screen)
	}
	if strings.Contains(screen, "\x1b[") {
		t.Errorf("colour with NO_COLOR:\n%q", screen)
	}
	if tm.file("samconfig.toml") != "" {
		t.Errorf("samconfig.toml was written by an interrupted run")
	}
}

// TestProgressAt80Columns pushes three images in an 80-column terminal for a stack whose
// repository names are longer than the terminal: every progress line fits, none stays behind
// on the screen or in the scrollback, and each image's result line is there once. The
// companion and application stacks are shown in the live stack view: each ends as its final
// lines, once, with its resources, and no redrawn line of it stays behind.
func TestProgressAt80Columns(t *testing.T) {
	testenv.Needs(t, "tmux and the local AWS")
	images := t.TempDir() // written before samship starts, named by absolute paths
	tpl := "Resources:\n  FnRole:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument: {Version: '2012-10-17', Statement: [{Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}]}\n"
	for _, fn := range []string{"Hello", "World", "Third"} {
		if err := testenv.WriteImage(filepath.Join(images, fn), "oci-layout", 40<<20, 2); err != nil {
			t.Fatal(err)
		}
		tpl += "  " + fn + "FunctionWithAVeryLongName:\n    Type: AWS::Lambda::Function\n    Properties: {PackageType: Image, Code: {ImageUri: " +
			filepath.Join(images, fn) + "}, Role: !GetAtt FnRole.Arn}\n"
	}
	stack := "my-long-application-name-production"
	tm := newTerminalSized(t, 80, 40, tpl, []string{"SAMSHIP_REGISTRY_ENDPOINT=" + testenv.SharedECR(t)},
		"deploy", "--stack-name", stack, "--resolve-image-repos", "--image-push-jobs", "2")
	tm.waitFor("EXIT=")
	screen := tm.screen(false)
	if !strings.Contains(screen, "Successfully created/updated stack - "+stack) {
		t.Fatalf("deploy did not succeed:\n%s", screen)
	}
	progress := regexp.MustCompile(`\d+\.\d/\d+\.\d MB +\d+%`)
	for _, line := range strings.Split(screen, "\n") {
		if progress.MatchString(line) {
			t.Errorf("a progress line stayed behind: %q\n%s", line, screen)
		}
	}
	for _, fn := range []string{"Hello", "World", "Third"} {
		if n := strings.Count(screen, "Pushed "+fn+"FunctionWithAVeryLongName"); n != 1 {
			t.Errorf("%s's result line is there %d times:\n%s", fn, n, screen)
		}
	}
	for _, final := range []*regexp.Regexp{
		regexp.MustCompile(`(?m)^✔ Created stack ` + stack + `-\w+-CompanionStack  \[create complete\]  \d+\.\ds$`),
		regexp.MustCompile(`(?m)^✔ Created stack ` + stack + `  \[create complete\]  \d+\.\ds$`),
		regexp.MustCompile(`(?m)^    ✔ HelloFunctionWithAVeryLongName +AWS::Lambda::Function +\[create complete\]  \d+\.\ds$`),
		regexp.MustCompile(`(?m)^    ✔ FnRole +AWS::IAM::Role +\[create complete\]`),
	} {
		if n := len(final.FindAllString(screen, -1)); n != 1 {
			t.Errorf("%d lines match %s, want 1:\n%s", n, final, screen)
		}
	}
	if strings.ContainsAny(screen, "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏") || strings.Contains(screen, "Creating stack") {
		t.Errorf("a live stack line stayed behind:\n%s", screen)
	}
	if strings.Contains(screen, "CloudFormation events from stack operations") {
		t.Errorf("the event table is for logs, not the terminal:\n%s", screen)
	}
}
