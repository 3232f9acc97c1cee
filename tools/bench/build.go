package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/samship/samship/internal/testenv"
)

// The build scenarios: `samship build` of sam init's image apps against `docker build` and
// `docker push` of the same apps in a real Docker engine.
var (
	skipBuild, onlyBuild *bool
	buildRuns            *int
)

// buildFiller is the size of the stand-ins' filler layer: AWS's python3.12 base is about
// 190 MB compressed; 100 MB of random bytes makes a push of the whole image show.
const buildFiller = 100 << 20

// buildRound is one round of one app: samship's runs, then Docker's, against a reset emulator
// and a fresh registry, with empty caches.
type buildRound struct {
	cold, again, changed, againBuild  samshipRun
	first, changedDeploy, againDeploy samshipRun
	digest                            string // of the cold build
	dCold, dAgain, dChanged, dAgainB  time.Duration
	dFirst, dChangedPush, dAgainPush  engineRun
}

// buildSection measures the build scenarios over runs rounds per app and returns their
// Markdown section.
func buildSection(bin string, m *testenv.Moto, dir string, runs int) (string, error) {
	start := time.Now()
	mirror, err := testenv.StartRegistry()
	if err != nil {
		return "", err
	}
	defer mirror.Stop()
	if _, err := testenv.PublishLambdaBases(context.Background(), mirror.URL, buildFiller); err != nil {
		return "", err
	}
	pkgs := filepath.Join(dir, "build-packages")
	if err := makeBuildPackages(pkgs); err != nil {
		return "", err
	}
	e, err := testenv.StartDockerd()
	if err != nil {
		return "", err
	}
	defer e.Stop()
	be := &buildEngine{b: &engineBench{bin: bin, m: m, e: e, work: filepath.Join(dir, "build")}}
	rounds := map[string][]buildRound{}
	for _, a := range buildApps {
		if err := be.loadBase(a, buildFiller); err != nil {
			return "", err
		}
		deps := ""
		for i := 0; i < runs; i++ {
			r, err := be.round(a, pkgs, strings.TrimPrefix(mirror.URL, "http://"), &deps)
			if err != nil {
				return "", fmt.Errorf("build %s, round %d: %w", a.label, i+1, err)
			}
			rounds[a.key] = append(rounds[a.key], r)
			fmt.Fprintf(os.Stderr, "bench: build: %s round %d done\n", a.label, i+1)
		}
	}
	return renderBuild(rounds, time.Since(start)), nil
}

// makeBuildPackages writes the wheels and the npm tarball the apps depend on into dir, as
// internal/cli's build scripts make them.
func makeBuildPackages(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, w := range []struct{ name, version, tag, file, body string }{
		{"greeting", "1.0", "py3-none-any", "greeting/__init__.py", "WORD = 'hello'\n"},
		{"fastmath", "2.0", "cp312-cp312-manylinux2014_x86_64", "fastmath/__init__.py", "ARCH = 'x86_64'\n"},
	} {
		if _, err := testenv.MakeWheel(dir, w.name, w.version, w.tag, map[string]string{w.file: w.body}); err != nil {
			return err
		}
	}
	_, err := testenv.MakeNpmTarball(dir, "leftpad", "1.0.0", nil, map[string]string{"index.js": "module.exports = s => ' ' + s\n"})
	return err
}

// round runs one round of app a: samship's builds and deploys from an empty cache in a new
// directory, then Docker's builds and pushes from an empty build cache. The first round
// extracts what samship's install produced into *deps, for the engine's context.
func (be *buildEngine) round(a *buildApp, pkgs, mirror string, deps *string) (buildRound, error) {
	var r buildRound
	b := be.b
	s, err := b.newSet()
	if err != nil {
		return r, err
	}
	defer s.stop()
	app, home := b.scratch("app-"+a.key), b.scratch("home")
	if err := a.write(app, pkgs); err != nil {
		return r, err
	}
	env := append(testenv.Environ(b.m), "SAM_CLI_POLL_DELAY=", "SAMSHIP_REGISTRY_ENDPOINT="+s.regURL,
		"SAMSHIP_REGISTRY_MIRRORS=public.ecr.aws="+mirror, "XDG_CACHE_HOME="+s.cache, "HOME="+home,
		"DOCKER_HOST=unix://"+filepath.Join(app, "no-engine.sock"),
		"PIP_NO_INDEX=1", "PIP_FIND_LINKS="+pkgs, "PIP_DISABLE_PIP_VERSION_CHECK=1", "PIP_ROOT_USER_ACTION=ignore",
		"npm_config_offline=true", "npm_config_cache="+filepath.Join(s.cache, "npm"))
	stack := "build-bench-" + a.key
	type step struct {
		name string
		run  func() error
	}
	build := func(into *samshipRun) func() error {
		return func() (err error) { *into, err = samshipBuild(b.bin, app, env); return err }
	}
	deploy := func(into *samshipRun) func() error {
		return func() (err error) { *into, err = samshipDeploy(b.bin, app, stack, env, s.mt); return err }
	}
	dctx := b.scratch("docker-" + a.key)
	tag := "bench-" + a.key + ":latest"
	repo := "docker-build/" + a.key
	dbuild := func(into *time.Duration) func() error {
		return func() (err error) { *into, err = be.build(a, dctx, tag); return err }
	}
	push := func(into *engineRun) func() error {
		return func() (err error) { *into, err = s.dockerPush(tag, repo); return err }
	}
	steps := []step{
		{"samship build, cold", build(&r.cold)},
		{"read the cold build's digest", func() (err error) { r.digest, err = layoutDigest(app); return err }},
		{"extract the install", func() error {
			if *deps != "" {
				return nil
			}
			d := b.scratch("deps-" + a.key)
			if err := a.extractInstall(app, d); err != nil {
				return err
			}
			*deps = d
			return nil
		}},
		{"samship build, unchanged", build(&r.again)},
		{"samship deploy, first", deploy(&r.first)},
		{"code-only change", func() error { return a.change(app) }},
		{"samship build, code changed", build(&r.changed)},
		{"samship deploy, code changed", deploy(&r.changedDeploy)},
		{"samship build, unchanged again", build(&r.againBuild)},
		{"samship deploy, unchanged again", deploy(&r.againDeploy)},
		{"empty the engine's cache", be.clean},
		{"write the engine's context", func() error { return be.context(a, dctx, pkgs, *deps) }},
		{"docker build, cold", dbuild(&r.dCold)},
		{"docker build, unchanged", dbuild(&r.dAgain)},
		{"docker push, first", push(&r.dFirst)},
		{"code-only change (engine's context)", func() error { return a.change(dctx) }},
		{"docker build, code changed", dbuild(&r.dChanged)},
		{"docker push, code changed", push(&r.dChangedPush)},
		{"docker build, unchanged again", dbuild(&r.dAgainB)},
		{"docker push, unchanged again", push(&r.dAgainPush)},
	}
	for _, st := range steps {
		if err := st.run(); err != nil {
			return r, fmt.Errorf("%s: %w", st.name, err)
		}
	}
	return r, nil
}
