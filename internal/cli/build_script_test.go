package cli_test

import (
	"archive/tar"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/rogpeppe/go-internal/testscript"

	"github.com/samship/samship/internal/testenv"
)

var (
	basesOnce sync.Once
	basesErr  error
	packages  string // wheels and npm tarballs the build scripts install
)

// buildFixtures publishes the stand-ins of AWS's Lambda base images to the local registry
// (with a 3 MB layer standing for the runtime, so that a push of the whole image shows), and
// makes the Python wheels and npm tarballs the scripts' apps depend on.
func buildFixtures(t *testing.T) (mirror string) {
	reg := testenv.SharedRegistry(t)
	basesOnce.Do(func() {
		if _, basesErr = testenv.PublishLambdaBases(context.Background(), reg.URL, 3<<20); basesErr != nil {
			return
		}
		if packages, basesErr = os.MkdirTemp("", "samship-packages-"); basesErr != nil {
			return
		}
		for _, w := range []struct{ name, version, tag, file, body string }{
			{"greeting", "1.0", "py3-none-any", "greeting/__init__.py", "WORD = 'hello'\n"},
			{"fastmath", "2.0", "cp312-cp312-manylinux2014_x86_64", "fastmath/__init__.py", "ARCH = 'x86_64'\n"},
			{"fastmath", "2.0", "cp312-cp312-manylinux2014_aarch64", "fastmath/__init__.py", "ARCH = 'aarch64'\n"},
		} {
			if _, basesErr = testenv.MakeWheel(packages, w.name, w.version, w.tag, map[string]string{w.file: w.body}); basesErr != nil {
				return
			}
		}
		_, basesErr = testenv.MakeNpmTarball(packages, "leftpad", "1.0.0", nil, map[string]string{"index.js": "module.exports = s => ' ' + s\n"})
	})
	if basesErr != nil {
		t.Fatalf("build fixtures: %v", basesErr)
	}
	return strings.TrimPrefix(reg.URL, "http://")
}

// TestBuildScripts runs the scripts of testdata/build: samship build on SAM apps, then
// deploys of what it built, on the local AWS, with no container engine.
func TestBuildScripts(t *testing.T) {
	mirror := buildFixtures(t)
	p := scriptParams(t, "testdata/build")
	setup := p.Setup
	p.Setup = func(e *testscript.Env) error {
		e.Setenv("SAMSHIP_REGISTRY_MIRRORS", "public.ecr.aws="+mirror)
		e.Setenv("MIRROR", mirror)
		e.Setenv("PACKAGES", packages)
		e.Setenv("HOME", filepath.Join(e.WorkDir, "home"))
		// pip and npm find the scripts' dependencies here, never on the network.
		e.Setenv("PIP_NO_INDEX", "1")
		e.Setenv("PIP_FIND_LINKS", packages)
		e.Setenv("PIP_DISABLE_PIP_VERSION_CHECK", "1")
		e.Setenv("PIP_ROOT_USER_ACTION", "ignore")
		e.Setenv("npm_config_offline", "true")
		e.Setenv("npm_config_cache", filepath.Join(e.WorkDir, "npm-cache"))
		e.Setenv("DOCKER_HOST", "unix://"+filepath.Join(e.WorkDir, "no-engine.sock"))
		return setup(e)
	}
	p.Cmds["image-config"] = imageConfigCmd
	p.Cmds["image-file"] = imageFileCmd
	// wait-digest STACK ID FILE SECONDS: wait until the image the function runs is another
	// than the digest line of FILE (an image-config output) says.
	p.Cmds["wait-digest"] = func(ts *testscript.TestScript, neg bool, args []string) {
		if len(args) != 4 {
			ts.Fatalf("usage: wait-digest STACK ID FILE SECONDS")
		}
		old := strings.SplitN(ts.ReadFile(args[2]), "\n", 2)[0]
		secs, err := strconv.Atoi(args[3])
		ts.Check(err)
		for deadline := time.Now().Add(time.Duration(secs) * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
			uri := functionImage(ts, args[0], args[1])
			if _, d, ok := strings.Cut(uri, "@"); ok && "digest "+d != old {
				return
			}
		}
		ts.Fatalf("%s of %s still runs %s after %s s", args[1], args[0], old, args[3])
	}
	// push-base RUNTIME REPO:TAG: push the amd64 stand-in of AWS's base image for RUNTIME to
	// the local ECR, as a team's private base image.
	p.Cmds["push-base"] = func(ts *testscript.TestScript, neg bool, args []string) {
		if len(args) != 2 {
			ts.Fatalf("usage: push-base RUNTIME REPO:TAG")
		}
		img, err := testenv.LambdaBase(args[0], "amd64", 0)
		ts.Check(err)
		repo, tag, _ := strings.Cut(args[1], ":")
		ts.Check(remote.Write(regRepo(ts, repo).Tag(tag), img))
	}
	testscript.Run(t, p)
}

// imageConfigCmd prints what Lambda reads of an image, one setting per line: its platform,
// ENTRYPOINT, CMD, WORKDIR and each ENV, and its layer count.
//
//	image-config layout DIR            the image of an OCI layout (samship build's output)
//	image-config function STACK ID     the image a function of STACK runs, from the registry
func imageConfigCmd(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 2 {
		ts.Fatalf("usage: image-config layout DIR | function STACK LOGICAL-ID")
	}
	var img v1.Image
	switch args[0] {
	case "layout":
		img = layoutImage(ts, args[1])
	case "function":
		uri := functionImage(ts, args[1], args[2])
		ref, err := name.ParseReference(strings.Replace(uri, uri[:strings.Index(uri, "/")], strings.TrimPrefix(ts.Getenv("REGISTRY_URL"), "http://"), 1), name.Insecure)
		ts.Check(err)
		img, err = remote.Image(ref)
		ts.Check(err)
	default:
		ts.Fatalf("usage: image-config layout DIR | function STACK LOGICAL-ID")
	}
	cf, err := img.ConfigFile()
	ts.Check(err)
	ls, err := img.Layers()
	ts.Check(err)
	d, err := img.Digest()
	ts.Check(err)
	j := func(v []string) string { b, _ := json.Marshal(v); return string(b) }
	lines := []string{"digest " + d.String(), "platform " + cf.OS + "/" + cf.Architecture, "entrypoint " + j(cf.Config.Entrypoint),
		"cmd " + j(cf.Config.Cmd), "workdir " + cf.Config.WorkingDir, fmt.Sprintf("layers %d", len(ls)), "created " + cf.Created.UTC().Format("2006-01-02T15:04:05Z")}
	env := append([]string{}, cf.Config.Env...)
	sort.Strings(env)
	for _, e := range env {
		lines = append(lines, "env "+e)
	}
	ts.Stdout().Write([]byte(strings.Join(lines, "\n") + "\n"))
}

// functionImage is the ImageUri Lambda reports for the function id of stack.
func functionImage(ts *testscript.TestScript, stack, id string) string {
	ctx := context.Background()
	cfg, err := testenv.SharedMoto(nil).Config(ctx)
	ts.Check(err)
	if r := ts.Getenv("AWS_REGION"); r != "" {
		cfg.Region = r
	}
	lines, err := testenv.StackFunctions(ctx, cfg, stack)
	ts.Check(err)
	for _, l := range lines {
		if f := strings.Fields(l); len(f) >= 3 && f[0] == id {
			return f[2]
		}
	}
	ts.Fatalf("stack %s has no function %s: %q", stack, id, lines)
	return ""
}

// imageFileCmd prints one file of the image of an OCI layout: image-file DIR PATH.
func imageFileCmd(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: image-file LAYOUT-DIR PATH")
	}
	tr := tar.NewReader(mutate.Extract(layoutImage(ts, args[0])))
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		ts.Check(err)
		if strings.TrimPrefix(h.Name, "/") == args[1] {
			b, err := io.ReadAll(tr)
			ts.Check(err)
			ts.Stdout().Write(b)
			if neg {
				ts.Fatalf("%s is in the image", args[1])
			}
			return
		}
	}
	if !neg {
		ts.Fatalf("%s is not in the image", args[1])
	}
}
