package cli_test

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"

	"github.com/samship/samship/internal/companion"
	"github.com/samship/samship/internal/testenv"
)

// faultRig runs samship processes against moto through a fault proxy.
type faultRig struct {
	t     *testing.T
	proxy *testenv.FaultProxy // in front of moto
	reg   *testenv.FaultProxy // in front of the registry
	moto  *testenv.Moto
	ecr   string
	bin   string
	dir   string
	cmd   *exec.Cmd // the running samship, for the rules that interrupt it
	runs  int
	env   []string // added to samship's environment
}

func newFaultRig(t *testing.T) *faultRig {
	return newFaultRigOn(t, "")
}

// newFaultRigOn is newFaultRig with its AWS proxy in front of upstream (moto when "").
func newFaultRigOn(t *testing.T, upstream string) *faultRig {
	moto := testenv.SharedMoto(t)
	if upstream == "" {
		upstream = moto.URL
	}
	proxy, err := testenv.StartFaultProxy(upstream, 20261202)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(proxy.Stop)
	ecr := testenv.SharedECR(t)
	reg, err := testenv.StartFaultProxy(ecr, 20261203)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(reg.Stop)
	bin, err := exec.LookPath("samship")
	if err != nil {
		t.Fatal(err)
	}
	r := &faultRig{t: t, proxy: proxy, reg: reg, moto: moto, ecr: reg.URL, bin: bin, dir: t.TempDir()}
	for i := 1; i <= 3; i++ {
		if err := testenv.WriteImage(filepath.Join(r.dir, "images", fmt.Sprintf("fn%d", i)), "oci-layout", 4096, 2); err != nil {
			t.Fatal(err)
		}
	}
	return r
}

// template writes a SAM app of the first n of three image functions and returns its name.
func (r *faultRig) template(n int) string {
	var b strings.Builder
	b.WriteString("Transform: AWS::Serverless-2016-10-31\nResources:\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "  Fn%d:\n    Type: AWS::Serverless::Function\n    Properties: {PackageType: Image, ImageUri: images/fn%d}\n", i, i)
	}
	name := fmt.Sprintf("t%d.yaml", n)
	if err := os.WriteFile(filepath.Join(r.dir, name), []byte(b.String()), 0o644); err != nil {
		r.t.Fatal(err)
	}
	return name
}

// deploy runs samship deploy of the first n functions as stack, through the proxy.
func (r *faultRig) deploy(stack string, n int) (string, error) {
	return r.samship("deploy", "-t", r.template(n), "--stack-name", stack, "--resolve-image-repos",
		"--capabilities", "CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND", "--no-fail-on-empty-changeset")
}

// samship runs samship with args through the proxies and returns what it printed.
func (r *faultRig) samship(args ...string) (string, error) {
	r.runs++
	cmd := exec.Command(r.bin, args...)
	cmd.Dir = r.dir
	cmd.Env = append(testenv.Environ(r.moto), "AWS_ENDPOINT_URL="+r.proxy.URL, "SAMSHIP_REGISTRY_ENDPOINT="+r.ecr, "SAM_CLI_POLL_DELAY=1")
	cmd.Env = append(cmd.Env, "XDG_CACHE_HOME="+filepath.Join(r.dir, ".cache"))
	cmd.Env = append(cmd.Env, r.env...)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	r.cmd = cmd
	err := cmd.Run()
	return out.String(), err
}

// prune runs samship prune --keep 0 --min-age 0 --no-prompts of stack, through the proxy.
func (r *faultRig) prune(stack string) (string, error) {
	return r.samship("prune", "--stack-name", stack, "--keep", "0", "--min-age", "0", "--no-prompts")
}

// repos returns an ECR client of the emulator and the managed repositories of the three
// functions of stack.
func (r *faultRig) repos(stack string) (*ecr.Client, []string) {
	r.t.Helper()
	cfg, err := r.moto.Config(context.Background())
	if err != nil {
		r.t.Fatal(err)
	}
	var names []string
	for fn := 1; fn <= 3; fn++ {
		names = append(names, companion.NewRepo(stack, fmt.Sprintf("Fn%d", fn)).Name)
	}
	return ecr.NewFromConfig(cfg), names
}

// oldImages puts n images nothing runs into each repository of stack, straight into the
// emulator's ECR.
func (r *faultRig) oldImages(stack string, n int) {
	r.t.Helper()
	c, repos := r.repos(stack)
	for j, repo := range repos {
		for i := range n {
			manifest := fmt.Sprintf(`{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":1,"digest":"sha256:%064x"},"layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":10,"digest":"sha256:%064x"}]}`, j, r.runs*100+i)
			if _, err := c.PutImage(context.Background(), &ecr.PutImageInput{RepositoryName: aws.String(repo), ImageTag: aws.String(fmt.Sprintf("old-%d-%d", r.runs, i)), ImageManifest: aws.String(manifest)}); err != nil {
				r.t.Fatal(err)
			}
		}
	}
}

// pruned checks that each repository of stack holds only the image its function runs, and
// that every function still runs an image that is in ECR.
func (r *faultRig) pruned(stack string) {
	r.t.Helper()
	r.converged(stack, 3)
	c, repos := r.repos(stack)
	for _, repo := range repos {
		out, err := c.DescribeImages(context.Background(), &ecr.DescribeImagesInput{RepositoryName: aws.String(repo)})
		if err != nil {
			r.t.Errorf("%s after prune: %v", repo, err)
		} else if len(out.ImageDetails) != 1 {
			r.t.Errorf("%s after prune: %d images, want the one in use", repo, len(out.ImageDetails))
		}
	}
}

// interrupt returns a rule hook that sends sig to the running samship, then lets the request
// through after it landed: AWS acts on a request whose client is gone.
func (r *faultRig) interrupt(sig syscall.Signal) func(string) {
	return func(string) {
		if r.cmd != nil && r.cmd.Process != nil {
			_ = r.cmd.Process.Signal(sig)
			time.Sleep(300 * time.Millisecond)
		}
	}
}

// converged checks the stack as Lambda has it: n functions, each running an image that is in
// ECR. It returns how many functions lost their image.
func (r *faultRig) converged(stack string, n int) int {
	r.t.Helper()
	lines, lost := r.functions(stack)
	for _, l := range lost {
		r.t.Errorf("stack %s: %s", stack, l)
	}
	if len(lines) != n {
		r.t.Errorf("stack %s has %d functions, want %d: %v", stack, len(lines), n, lines)
	}
	return len(lost)
}

// functions reads the stack's functions back from Lambda (see testenv.StackFunctions) and
// returns them, and those of them running an image that is not in ECR.
func (r *faultRig) functions(stack string) (lines, lost []string) {
	r.t.Helper()
	cfg, err := r.moto.Config(context.Background())
	if err != nil {
		r.t.Fatal(err)
	}
	lines, err = testenv.StackFunctions(context.Background(), cfg, stack)
	if err != nil {
		r.t.Fatalf("read back %s: %v", stack, err)
	}
	for _, l := range lines {
		if !strings.HasSuffix(l, " pushed") {
			lost = append(lost, l)
		}
	}
	return lines, lost
}

// clone returns a rig that runs samship beside r's runs: the same proxies and images, its own
// running command.
func (r *faultRig) clone() *faultRig {
	c := *r
	c.cmd = nil
	return &c
}

// lostImages returns how many functions of the live stack run an image that is not in ECR,
// logging each: after overlapping runs a loss is counted, and fails the test only when no
// run said so.
func (r *faultRig) lostImages(stack string) int {
	r.t.Helper()
	_, lost := r.functions(stack)
	for _, l := range lost {
		r.t.Logf("stack %s: %s", stack, l)
	}
	return len(lost)
}

// TestFaults deploys through a proxy that throttles, fails, drops connections before and after
// AWS acted, and interrupts samship at each step; every rerun converges and no image in use is
// lost. Figures: docs/reliability.md.
func TestFaults(t *testing.T) {
	testenv.Needs(t, "the local AWS, for many deploys")
	r := newFaultRig(t)

	t.Run("waits outlive throttling", func(t *testing.T) {
		r.t = t
		r.proxy.Set(&testenv.Rule{Op: "cloudformation:DescribeChangeSet", Fault: testenv.Throttle, Times: 3},
			&testenv.Rule{Op: "cloudformation:DescribeStackEvents", Fault: testenv.Unavailable, Times: 3})
		out, err := r.deploy("fault-throttle", 2)
		if err != nil || !strings.Contains(out, "did not answer a status poll") {
			t.Fatalf("deploy: %v\n%s", err, out)
		}
		r.converged("fault-throttle", 2)
	})

	t.Run("answers lost after AWS acted", func(t *testing.T) {
		r.t = t
		r.proxy.Set(&testenv.Rule{Op: "cloudformation:CreateStack", Fault: testenv.ResetAfter, Times: 1})
		if out, err := r.deploy("fault-lost", 3); err != nil {
			t.Fatalf("deploy with a lost CreateStack answer: %v\n%s", err, out)
		}
		r.converged("fault-lost", 3)
		r.proxy.Set(&testenv.Rule{Op: "ecr:BatchDeleteImage", Fault: testenv.ResetAfter, Times: 1})
		if out, err := r.deploy("fault-lost", 2); err != nil {
			t.Fatalf("removal with a lost BatchDeleteImage answer: %v\n%s", err, out)
		}
		r.converged("fault-lost", 2)
	})

	// Interrupted at each step of a deploy that creates the companion stack, pushes, executes,
	// then of one that removes a function; the rerun converges.
	steps := []struct {
		op     string
		before int // functions deployed before the interrupted run
		n      int // functions the interrupted run deploys
	}{
		{"cloudformation:CreateStack", 0, 3},
		{"ecr:GetAuthorizationToken", 0, 3},
		{"rest:PUT /v2/*", 0, 3}, // the registry: mid-push, a blob or a manifest on its way
		{"cloudformation:CreateChangeSet", 0, 3},
		{"cloudformation:ExecuteChangeSet", 0, 3},
		{"ecr:BatchDeleteImage", 3, 2},
		{"cloudformation:UpdateStack", 3, 2},
	}
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGKILL} {
		for i, st := range steps {
			name := fmt.Sprintf("%s at %s", sig, st.op)
			t.Run(name, func(t *testing.T) {
				r.t = t
				stack := fmt.Sprintf("fault-kill-%d-%d", sig, i)
				r.proxy.Set()
				r.reg.Set()
				if st.before > 0 {
					if out, err := r.deploy(stack, st.before); err != nil {
						t.Fatalf("set-up deploy: %v\n%s", err, out)
					}
				}
				at := r.proxy
				if strings.HasPrefix(st.op, "rest:") {
					at = r.reg
				}
				reached := at.Injected()[testenv.Pass]
				at.Set(&testenv.Rule{Op: st.op, Fault: testenv.Pass, Times: 1, Before: r.interrupt(sig)})
				out, err := r.deploy(stack, st.n)
				at.Set()
				if at.Injected()[testenv.Pass] != reached+1 {
					t.Fatalf("the run never reached %s:\n%s", st.op, out)
				}
				if err == nil {
					t.Fatalf("the run was not interrupted at %s:\n%s", st.op, out)
				}
				var exit *exec.ExitError
				if i := strings.Index(out, "Error: interrupted: "); i >= 0 {
					t.Logf("%s", strings.SplitN(out[i:], "\n", 2)[0])
				}
				if sig == syscall.SIGINT && (!errors.As(err, &exit) || exit.ExitCode() != 130 || !strings.Contains(out, "Error: interrupted: ")) {
					t.Errorf("interrupted at %s: %v; want exit 130 and a line saying what was left:\n%s", st.op, err, out)
				}
				if out, err := r.deploy(stack, st.n); err != nil {
					t.Fatalf("rerun after %s: %v\n%s", name, err, out)
				}
				r.converged(stack, st.n)
			})
		}
	}

	// Images in a real Docker engine: stopped mid-push by CI's cancellation, a closed terminal or a kill, the run
	// leaves no temporary file (a killed one's is removed by the next run), and a rerun converges.
	t.Run("engine image stopped mid-push", func(t *testing.T) {
		r.t = t
		r.proxy.Set()
		r.reg.Set()
		engine, err := testenv.StartDockerd()
		if err != nil {
			t.Fatal(err)
		}
		defer engine.Stop()
		var b strings.Builder
		b.WriteString("Transform: AWS::Serverless-2016-10-31\nResources:\n")
		for i := 1; i <= 3; i++ {
			files := map[string][]byte{"Dockerfile": []byte("FROM scratch\nCOPY a /a\nCOPY b /b\nCOPY c /c\n")}
			for _, f := range []string{"a", "b", "c"} {
				files[f] = make([]byte, 1<<20)
				rand.Read(files[f])
			}
			if _, err := engine.Build(context.Background(), fmt.Sprintf("fn%d:v1", i), files); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&b, "  Fn%d:\n    Type: AWS::Serverless::Function\n    Properties: {PackageType: Image, ImageUri: \"fn%d:v1\"}\n", i, i)
		}
		tmp := t.TempDir()
		r.env = []string{"DOCKER_HOST=" + engine.Host, "TMPDIR=" + tmp}
		defer func() { r.env = nil }()
		if err := os.WriteFile(filepath.Join(r.dir, "engine.yaml"), []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		left := func() int {
			entries, _ := os.ReadDir(tmp)
			return len(entries)
		}
		for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGHUP, syscall.SIGKILL} {
			stack := fmt.Sprintf("fault-engine-%d", sig)
			deploy := func() (string, error) {
				return r.samship("deploy", "-t", "engine.yaml", "--stack-name", stack, "--resolve-image-repos", "--no-fail-on-empty-changeset")
			}
			r.reg.Set(&testenv.Rule{Op: "rest:PUT /v2/*", Fault: testenv.Pass, Times: 1, Before: r.interrupt(sig)})
			out, err := deploy()
			r.reg.Set()
			var exit *exec.ExitError
			switch {
			case sig == syscall.SIGKILL:
				if left() == 0 {
					t.Errorf("killed mid-push: no scratch directory left, so its removal by the next run goes untested")
				}
			case !errors.As(err, &exit) || exit.ExitCode() != 128+int(sig) || !strings.Contains(out, "Error: interrupted: nothing was deployed"):
				t.Errorf("%s mid-push: %v; want exit %d and a line saying what was left:\n%s", sig, err, 128+int(sig), out)
			case left() != 0:
				t.Errorf("%s mid-push left %d temporary entries", sig, left())
			}
			if out, err := deploy(); err != nil {
				t.Fatalf("rerun after %s: %v\n%s", sig, err, out)
			}
			r.converged(stack, 3)
			if n := left(); n != 0 {
				t.Errorf("after the rerun that followed %s: %d temporary entries left", sig, n)
			}
		}
	})

	// prune under faults: throttled and failing reads, a lost delete answer, an interruption
	// mid-delete, random faults. It never deletes an image in use, and a rerun converges.
	t.Run("prune under faults", func(t *testing.T) {
		r.t = t
		r.proxy.Set()
		if out, err := r.deploy("fault-prune", 3); err != nil {
			t.Fatalf("deploy: %v\n%s", err, out)
		}
		cases := []struct {
			name  string
			rules []*testenv.Rule
			// rerun: the faulted run may fail; a clean rerun must converge
			rerun bool
		}{
			{name: "throttled reads", rules: []*testenv.Rule{{Op: "rest:GET /2015-03-31/functions/*", Fault: testenv.Throttle, Times: 4},
				{Op: "ecr:DescribeImages", Fault: testenv.Throttle, Times: 2}, {Op: "cloudformation:ListStackResources", Fault: testenv.Unavailable, Times: 1}}},
			{name: "lost delete answer", rules: []*testenv.Rule{{Op: "ecr:BatchDeleteImage", Fault: testenv.ResetAfter, Times: 2}}},
			{name: "killed mid-delete", rules: []*testenv.Rule{{Op: "ecr:BatchDeleteImage", Fault: testenv.Pass, Times: 1, Before: r.interrupt(syscall.SIGKILL)}}, rerun: true},
			{name: "random faults", rules: []*testenv.Rule{{Op: "*", Fault: testenv.Throttle, Prob: 0.1}, {Op: "*", Fault: testenv.Unavailable, Prob: 0.1},
				{Op: "*", Fault: testenv.ResetBefore, Prob: 0.05}, {Op: "*", Fault: testenv.ResetAfter, Prob: 0.05}}, rerun: true},
		}
		for _, c := range cases {
			r.oldImages("fault-prune", 3)
			r.proxy.Set(c.rules...)
			out, err := r.prune("fault-prune")
			r.proxy.Set()
			if err != nil && !c.rerun {
				t.Fatalf("%s: prune: %v\n%s", c.name, err, out)
			}
			if err != nil {
				if out, err := r.prune("fault-prune"); err != nil {
					t.Fatalf("%s: clean rerun: %v\n%s", c.name, err, out)
				}
			}
			r.pruned("fault-prune")
		}
	})

	t.Run("seeded soak", func(t *testing.T) {
		r.t = t
		var rules, regRules []*testenv.Rule
		for _, f := range []testenv.Fault{testenv.Throttle, testenv.Unavailable, testenv.ResetBefore, testenv.ResetAfter} {
			rules = append(rules, &testenv.Rule{Op: "*", Fault: f, Prob: 0.05})
		}
		for _, f := range []testenv.Fault{testenv.Unavailable, testenv.ResetBefore, testenv.ResetAfter} {
			regRules = append(regRules, &testenv.Rule{Op: "*", Fault: f, Prob: 0.05})
		}
		before, regBefore := r.proxy.Injected(), r.reg.Injected()
		failed, lost := 0, 0
		for step, n := range []int{3, 2, 3, 1, 3, 2, 2, 3, 1, 2, 3, 3, 2, 1, 3, 2} {
			r.proxy.Set(rules...)
			r.reg.Set(regRules...)
			if out, err := r.deploy("fault-soak", n); err != nil {
				if os.Getenv("SAMSHIP_FAULT_LOG") != "" {
					t.Logf("step %d (%d functions) failed under faults:\n%s", step, n, out)
				}
				failed++
				r.proxy.Set()
				r.reg.Set()
				if out, err := r.deploy("fault-soak", n); err != nil {
					t.Fatalf("step %d: clean rerun: %v\n%s", step, err, out)
				}
			}
			r.proxy.Set()
			r.reg.Set()
			lost += r.converged("fault-soak", n)
		}
		injected := 0
		for k, v := range r.proxy.Injected() {
			injected += v - before[k]
		}
		for k, v := range r.reg.Injected() {
			injected += v - regBefore[k]
		}
		t.Logf("soak: 16 steps, %d failed under faults and converged on a clean rerun, %d faults injected, %d images in use lost", failed, injected, lost)
	})
	t.Logf("faults: %d samship runs, faults injected: AWS %v, registry %v", r.runs, r.proxy.Injected(), r.reg.Injected())
}
