package cli_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/rogpeppe/go-internal/testscript"
	"golang.org/x/sync/errgroup"

	"github.com/samship/samship/internal/testenv"
)

// TestEngines deploys images as `sam build` leaves them: built in a real Docker engine
// (Debian's dockerd) and in Podman, on private sockets, FROM scratch. The scripts in
// testdata/engines reach them as $DOCKERD_HOST and $PODMAN_HOST and build with build-image.
func TestEngines(t *testing.T) {
	testenv.Needs(t, "dockerd and podman")
	engines := map[string]*testenv.Engine{}
	var g errgroup.Group
	var dockerd, podman *testenv.Engine
	g.Go(func() (err error) { dockerd, err = testenv.StartDockerd(); return err })
	g.Go(func() (err error) { podman, err = testenv.StartPodman(); return err })
	err := g.Wait()
	for _, e := range []*testenv.Engine{dockerd, podman} {
		if e != nil {
			engines[e.Name] = e
			t.Cleanup(e.Stop)
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	p := scriptParams(t, "testdata/engines")
	setup := p.Setup
	p.Setup = func(e *testscript.Env) error {
		e.Setenv("DOCKERD_HOST", dockerd.Host)
		e.Setenv("PODMAN_HOST", podman.Host)
		return setup(e)
	}
	// build-image docker|podman TAG DIR [PLATFORM]: build DIR (with its Dockerfile) in that
	// engine, for PLATFORM when given (docker build --platform).
	p.Cmds["build-image"] = func(ts *testscript.TestScript, neg bool, args []string) {
		if len(args) < 3 || len(args) > 4 || engines[args[0]] == nil {
			ts.Fatalf("usage: build-image docker|podman TAG DIR [PLATFORM]")
		}
		files := map[string][]byte{}
		dir := ts.MkAbs(args[2])
		entries, err := os.ReadDir(dir)
		ts.Check(err)
		for _, en := range entries {
			b, err := os.ReadFile(filepath.Join(dir, en.Name()))
			ts.Check(err)
			files[en.Name()] = b
		}
		id, err := engines[args[0]].Build(context.Background(), args[1], files, args[3:]...)
		ts.Check(err)
		ts.Stdout().Write([]byte(id + "\n"))
	}
	// load-base docker|podman RUNTIME: load the stand-in of AWS's Lambda base image for
	// RUNTIME ("python:3.12") into that engine as public.ecr.aws/lambda/RUNTIME, as a pull of
	// it would leave it (nothing can be pulled here).
	p.Cmds["load-base"] = func(ts *testscript.TestScript, neg bool, args []string) {
		if len(args) != 2 || engines[args[0]] == nil {
			ts.Fatalf("usage: load-base docker|podman RUNTIME")
		}
		img, err := testenv.LambdaBase(args[1], "amd64", 0)
		ts.Check(err)
		tag, err := name.NewTag("public.ecr.aws/lambda/" + args[1])
		ts.Check(err)
		var buf bytes.Buffer
		ts.Check(tarball.Write(tag, img, &buf))
		_, err = engines[args[0]].Load(context.Background(), &buf)
		ts.Check(err)
	}
	// static-tool FILE: a static program that writes /var/task/generated.txt, for a RUN the
	// engine runs (the stand-in bases have no shell).
	p.Cmds["static-tool"] = func(ts *testscript.TestScript, neg bool, args []string) {
		if len(args) != 1 {
			ts.Fatalf("usage: static-tool FILE")
		}
		src := filepath.Join(ts.Getenv("WORK"), "static-tool-src")
		ts.Check(os.MkdirAll(src, 0o755))
		ts.Check(os.WriteFile(filepath.Join(src, "go.mod"), []byte("module statictool\n\ngo 1.21\n"), 0o644))
		ts.Check(os.WriteFile(filepath.Join(src, "main.go"), []byte("package main\n\nimport \"os\"\n\nfunc main() {\n\tif err := os.WriteFile(\"/var/task/generated.txt\", []byte(\"made in the engine\\n\"), 0o644); err != nil {\n\t\tpanic(err)\n\t}\n}\n"), 0o644))
		cmd := exec.Command("go", "build", "-o", ts.MkAbs(args[0]), ".")
		cmd.Dir, cmd.Env = src, append(os.Environ(), "CGO_ENABLED=0", "GOFLAGS=-buildvcs=false", "GOWORK=off")
		if out, err := cmd.CombinedOutput(); err != nil {
			ts.Fatalf("build the static tool: %v: %s", err, out)
		}
	}
	testscript.Run(t, p)
}
