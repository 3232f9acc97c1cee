package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/samship/samship/internal/testenv"
)

// dockerCLI is the docker CLI the build scenarios compare with (sam build has no CLI of its
// own here: it calls the engine's build API, the classic builder, as this CLI does with
// DOCKER_BUILDKIT=0; there is no buildx plugin on this machine for BuildKit).
const dockerCLI = "/usr/local/bin/docker"

// buildEngine is the Docker side of the build scenarios: the docker CLI against the bench's
// private dockerd.
type buildEngine struct {
	b *engineBench
}

// docker runs the docker CLI against the engine and returns its wall time.
func (be *buildEngine) docker(args ...string) (time.Duration, string, error) {
	cmd := exec.Command(dockerCLI, append([]string{"-H", be.b.e.Host}, args...)...)
	cmd.Env = append(os.Environ(), "DOCKER_CONFIG="+filepath.Join(be.b.work, "docker-config"), "DOCKER_BUILDKIT=0")
	start := time.Now()
	out, err := cmd.CombinedOutput()
	d := time.Since(start)
	if err != nil {
		return d, string(out), fmt.Errorf("docker %s: %w\n%s", strings.Join(args, " "), err, tail(string(out)))
	}
	return d, string(out), nil
}

// loadBase loads the same stand-in base samship pulls from the mirror into the engine, under
// the name the app's Dockerfile uses, so that the engine pulls nothing.
func (be *buildEngine) loadBase(a *buildApp, filler int64) error {
	img, err := testenv.LambdaBase(strings.TrimPrefix(a.base, "public.ecr.aws/lambda/"), "amd64", filler)
	if err != nil {
		return err
	}
	ref, err := name.NewTag(a.base)
	if err != nil {
		return err
	}
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(tarball.Write(ref, img, pw)) }()
	_, err = be.b.e.Load(context.Background(), pr)
	pr.CloseWithError(io.ErrClosedPipe)
	if err != nil {
		return fmt.Errorf("load %s into the engine: %w", a.base, err)
	}
	return nil
}

// clean empties the engine's build cache: every image but the stand-in bases is removed
// (with its untagged parents, the classic builder's cache), then dangling images and the
// BuildKit cache are pruned.
func (be *buildEngine) clean() error {
	_, out, err := be.docker("images", "--format", "{{.Repository}}:{{.Tag}}")
	if err != nil {
		return err
	}
	keep := map[string]bool{}
	for _, a := range buildApps {
		keep[a.base] = true
	}
	for _, ref := range strings.Fields(out) {
		if !keep[ref] && !strings.HasSuffix(ref, ":<none>") {
			if _, _, err := be.docker("rmi", "-f", ref); err != nil {
				return err
			}
		}
	}
	if _, _, err := be.docker("image", "prune", "-f"); err != nil {
		return err
	}
	_, _, err = be.docker("builder", "prune", "-af")
	return err
}

// context writes the engine's build context of app a into dir: the app as samship builds it,
// with the Dockerfile's install line (pip or npm, which the stand-in base cannot run) replaced
// by a COPY of what samship's install produced (deps).
func (be *buildEngine) context(a *buildApp, dir, pkgs, deps string) error {
	if err := a.write(dir, pkgs); err != nil {
		return err
	}
	df := filepath.Join(dir, a.context, "Dockerfile")
	src := a.files[a.context+"/Dockerfile"]
	if !strings.Contains(src, a.install+"\n") {
		return fmt.Errorf("write the engine's Dockerfile of %s: no line %q", a.label, a.install)
	}
	if err := os.WriteFile(df, []byte(strings.Replace(src, a.install+"\n", "COPY deps/ ./\n", 1)), 0o644); err != nil {
		return err
	}
	if out, err := exec.Command("cp", "-a", deps, filepath.Join(dir, a.context, "deps")).CombinedOutput(); err != nil {
		return fmt.Errorf("copy %s's install into the engine's context: %w: %s", a.label, err, out)
	}
	return nil
}

// build runs `docker build -t tag` of app a's context under dir.
func (be *buildEngine) build(a *buildApp, dir, tag string) (time.Duration, error) {
	d, _, err := be.docker("build", "-q", "-t", tag, filepath.Join(dir, a.context))
	return d, err
}
