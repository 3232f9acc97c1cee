package testenv

import (
	"bufio"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestLauncherPythonTests runs the launcher's own tests (localaws/tests: each emulator fix
// against moto in one Python process, no server, no network) and reports each as a subtest,
// so that `go test ./internal/testenv/...` and CI run them.
func TestLauncherPythonTests(t *testing.T) {
	Needs(t, "Python with moto")
	bin, err := motoPython()
	if err != nil {
		t.Fatal(err)
	}
	results := filepath.Join(t.TempDir(), "results.jsonl")
	cmd := exec.Command(bin, "-m", "localaws.tests.run", results)
	// Nothing of the environment's AWS settings reaches the tests (base.py sets fakes), and
	// no bytecode is left in the source tree.
	cmd.Env = []string{"PYTHONDONTWRITEBYTECODE=1", "PYTHONPATH=."}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") && !strings.HasPrefix(kv, "PYTHONPATH=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	out, runErr := cmd.CombinedOutput()
	f, err := os.Open(results)
	if err != nil {
		t.Fatalf("python tests: %v (%v)\n%s", err, runErr, out)
	}
	defer f.Close()
	ran := 0
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var r struct {
			ID, Outcome, Detail string
			Seconds             float64
		}
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("results: %v: %s", err, sc.Text())
		}
		ran++
		name := strings.TrimPrefix(r.ID, "localaws.tests.")
		t.Run(name, func(t *testing.T) {
			switch r.Outcome {
			case "ok":
				t.Logf("%.2fs", r.Seconds)
			case "skip":
				t.Skip(r.Detail)
			default:
				t.Errorf("%s (%.2fs):\n%s", r.Outcome, r.Seconds, r.Detail)
			}
		})
	}
	if ran == 0 || (runErr != nil && !t.Failed()) {
		t.Fatalf("python tests: %d reported, %v\n%s", ran, runErr, out)
	}
}

// TestLauncherRefusesAnotherMoto: on a moto other than the one the fixes are written against
// (another release, or one that renamed what a fix patches), the local AWS does not start,
// and says why in one line, at once (no retry on other ports).
func TestLauncherRefusesAnotherMoto(t *testing.T) {
	Needs(t, "Python with moto")
	bin, err := motoPython()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, file, old, new, want string
	}{
		{"version", "versions.py", `"moto": "`, `"moto": "0.0.1-`, "localaws: moto 0.0.1-"},
		{"target", "ecr.py", `patch(ecr_models.Image, "get_image_size_in_bytes"`, `patch(ecr_models.Image, "get_image_size"`,
			"localaws: moto.ecr.models.Image.get_image_size is missing"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := writeLauncher(dir); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, "localaws", c.file)
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			edited := strings.Replace(string(src), c.old, c.new, 1)
			if edited == string(src) {
				t.Fatalf("%s has no %s", c.file, c.old)
			}
			if err := os.WriteFile(path, []byte(edited), 0o644); err != nil {
				t.Fatal(err)
			}
			began := time.Now()
			m, err := startIn(bin, dir, nil)
			if err == nil {
				m.Stop()
				t.Fatal("the launcher started on a moto it does not expect")
			}
			t.Logf("refused: %v", err)
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error = %v, want the launcher's line %q", err, c.want)
			}
			if d := time.Since(began); d > 20*time.Second {
				t.Errorf("refused after %s: retried?", d)
			}
		})
	}
}
