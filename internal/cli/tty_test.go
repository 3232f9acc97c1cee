package cli_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/samship/samship/internal/testenv"
)

// TestGuidedInTerminal drives the real binary through a guided deploy in a terminal (tmux),
// typing each answer when its question is on the screen: labels are bold on a terminal, a
// NoEcho answer is not echoed, and the deploy completes.
func TestGuidedInTerminal(t *testing.T) {
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Fatalf("tmux not found (make deps installs it): %v", err)
	}
	moto := testenv.SharedMoto(t)
	dir := t.TempDir()
	bin := filepath.Join(dir, "samship")
	if out, err := exec.Command("go", "build", "-o", bin, "../../cmd/samship").CombinedOutput(); err != nil {
		t.Fatalf("build samship: %v\n%s", err, out)
	}
	tpl, err := os.ReadFile("../../examples/hello/template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tpl = []byte(strings.Replace(string(tpl), "  Stage:", "  Secret:\n    Type: String\n    NoEcho: true\n  Stage:", 1))
	if err := os.WriteFile(filepath.Join(dir, "template.yaml"), tpl, 0o644); err != nil {
		t.Fatal(err)
	}
	var env []string
	for k, v := range moto.Env() {
		env = append(env, k+"="+v)
	}
	socket := fmt.Sprintf("samship-test-%d", os.Getpid())
	tmux := func(args ...string) string {
		out, err := exec.Command("tmux", append([]string{"-L", socket}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	script := fmt.Sprintf("cd %s && env -u NO_COLOR TERM=xterm-256color %s %s deploy --guided; echo EXIT=$?; sleep 60",
		dir, strings.Join(env, " "), bin)
	tmux("new-session", "-d", "-s", "g", "-x", "160", "-y", "60", "sh", "-c", script)
	defer exec.Command("tmux", "-L", socket, "kill-server").Run()

	screen := func(escapes bool) string {
		args := []string{"capture-pane", "-p", "-t", "g", "-S", "-200"}
		if escapes {
			args = append(args, "-e")
		}
		return tmux(args...)
	}
	waitFor := func(text string) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for time.Now().Before(deadline) {
			if strings.Contains(screen(false), text) {
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
		t.Fatalf("%q never appeared; screen:\n%s", text, screen(false))
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
		waitFor(step.question)
		if step.answer != "" {
			tmux("send-keys", "-t", "g", "-l", step.answer)
		}
		tmux("send-keys", "-t", "g", "Enter")
	}
	waitFor("EXIT=")
	plain := screen(false)
	if !strings.Contains(plain, "Successfully created/updated stack - gtty in us-east-1") || !strings.Contains(plain, "EXIT=0") {
		t.Fatalf("guided deploy did not succeed:\n%s", plain)
	}
	if strings.Contains(plain, "hunter2") {
		t.Errorf("the NoEcho answer is on the screen:\n%s", plain)
	}
	if !strings.Contains(plain, "Parameter overrides          : {\"Secret\": \"*****\", \"Stage\": \"prod\"}") {
		t.Errorf("summary lacks the masked overrides:\n%s", plain)
	}
	if colored := screen(true); !strings.Contains(colored, "\x1b[1mStack Name\x1b[0m") || !strings.Contains(colored, "\x1b[33mConfiguring SAM deploy") {
		t.Errorf("labels are not bold, or headers not yellow, on a terminal:\n%q", colored)
	}
	saved, err := os.ReadFile(filepath.Join(dir, "samconfig.toml"))
	if err != nil || !strings.Contains(string(saved), `parameter_overrides = "Stage=\"prod\""`) || strings.Contains(string(saved), "hunter2") {
		t.Errorf("samconfig.toml = %q, %v", saved, err)
	}
}

// TestGuidedInterruptedInTerminal presses Ctrl-C at a question: the run aborts with exit 1,
// nothing is saved, the terminal echoes again; with NO_COLOR nothing is coloured.
func TestGuidedInterruptedInTerminal(t *testing.T) {
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Fatalf("tmux not found (make deps installs it): %v", err)
	}
	moto := testenv.SharedMoto(t)
	dir := t.TempDir()
	bin := filepath.Join(dir, "samship")
	if out, err := exec.Command("go", "build", "-o", bin, "../../cmd/samship").CombinedOutput(); err != nil {
		t.Fatalf("build samship: %v\n%s", err, out)
	}
	tpl := "Parameters:\n  Secret: {Type: String, NoEcho: true}\nResources:\n  Topic: {Type: AWS::SNS::Topic}\n"
	if err := os.WriteFile(filepath.Join(dir, "template.yaml"), []byte(tpl), 0o644); err != nil {
		t.Fatal(err)
	}
	var env []string
	for k, v := range moto.Env() {
		env = append(env, k+"="+v)
	}
	socket := fmt.Sprintf("samship-test-int-%d", os.Getpid())
	tmux := func(args ...string) string {
		out, err := exec.Command("tmux", append([]string{"-L", socket}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	// After samship exits, the shell reads a line: what is typed must be echoed again.
	script := fmt.Sprintf("trap : INT; cd %s && env NO_COLOR=1 TERM=xterm-256color %s %s deploy --guided; echo EXIT=$?; read line; echo GOT=$line; sleep 60",
		dir, strings.Join(env, " "), bin)
	tmux("new-session", "-d", "-s", "g", "-x", "160", "-y", "50", "sh", "-c", script)
	defer exec.Command("tmux", "-L", socket, "kill-server").Run()
	waitFor := func(text string) string {
		t.Helper()
		var screen string
		for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			if screen = tmux("capture-pane", "-p", "-e", "-t", "g"); strings.Contains(screen, text) {
				return screen
			}
		}
		t.Fatalf("%q never appeared; screen:\n%s", text, screen)
		return ""
	}
	waitFor("Stack Name [sam-app]:")
	tmux("send-keys", "-t", "g", "-l", "gint")
	tmux("send-keys", "-t", "g", "Enter")
	waitFor("AWS Region [")
	tmux("send-keys", "-t", "g", "Enter")
	waitFor("Parameter Secret:")
	tmux("send-keys", "-t", "g", "-l", "abc")
	tmux("send-keys", "-t", "g", "C-c")
	waitFor("EXIT=")
	tmux("send-keys", "-t", "g", "-l", "visible")
	tmux("send-keys", "-t", "g", "Enter")
	screen := waitFor("GOT=visible")
	if !strings.Contains(screen, "Error: aborted: interrupted") || !strings.Contains(screen, "EXIT=1") {
		t.Errorf("Ctrl-C did not abort with exit 1:\n%s", screen)
	}
	if !strings.Contains(screen, "\nvisible") && !strings.Contains(screen, "EXIT=1\nvisible") {
		t.Errorf("the terminal does not echo after the interrupted secret question:\n%s", screen)
	}
	if strings.Contains(screen, "\x1b[") {
		t.Errorf("colour with NO_COLOR:\n%q", screen)
	}
	if _, err := os.Stat(filepath.Join(dir, "samconfig.toml")); err == nil {
		t.Errorf("samconfig.toml was written by an interrupted run")
	}
}
