package cli_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

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
	testscript.Run(t, p)
}
