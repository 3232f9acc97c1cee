package main

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/samship/samship/internal/testenv"
)

// TestDemo runs `make demo` (in the Docker engine, and with an OCI layout when there is no
// engine) and `make demo-guided`, each on its own local AWS, and checks that the demo ends by
// saying what happened, as read back from the emulator: the stacks, the repositories and
// images, every function running a pushed image, and a second deploy that changed nothing.
func TestDemo(t *testing.T) {
	testenv.Needs(t, "the local AWS and dockerd")
	bin := filepath.Join(t.TempDir(), "samship")
	if out, err := exec.Command("go", "build", "-o", bin, "../../cmd/samship").CombinedOutput(); err != nil {
		t.Fatalf("build samship: %v\n%s", err, out)
	}
	for name, tc := range map[string]struct {
		args []string
		want []string
	}{
		"engine": {nil, []string{
			"==> sam build's part: building helloworldfunction:python3.12-v1 in the Docker engine",
			"    stacks: samship-demo (CREATE_COMPLETE, 6 resources), samship-demo-b1bb1499-CompanionStack (CREATE_COMPLETE, 1 resource)\n",
			"    repositories: 1, holding 1 image\n",
			"    functions: 1 of 1 run an image that is in ECR\n",
		}},
		"OCI layout": {[]string{"-no-engine"}, []string{
			"==> no Docker engine started here (-no-engine):",
			"    functions: 1 of 1 run an image that is in ECR\n",
		}},
		"guided": {[]string{"-guided"}, []string{
			"==> samconfig.toml as saved",
			"    repositories: 3, holding 3 images\n",
			"    functions: 3 of 3 run an image that is in ECR\n",
		}},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var out strings.Builder
			if err := run(append([]string{"-root", "../..", "-samship", bin}, tc.args...), &out); err != nil {
				t.Fatalf("demo: %v\n%s", err, out.String())
			}
			got := out.String()
			for _, w := range append(tc.want, "\n==> done in ", "    the second deploy pushed nothing and changed no stack\n") {
				if !strings.Contains(got, w) {
					t.Errorf("the demo did not say %q:\n%s", w, got)
				}
			}
		})
	}
}
