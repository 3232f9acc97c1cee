package main

import (
	"context"
	"fmt"
	"net/http/httptest"
	"net/http/httputil"
	neturl "net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/samship/samship/internal/testenv"
)

// The sync scenarios: `samship sync --code` of a deployed stack after an edit, for one
// function, for 10 functions sharing one image (with and without AutoPublishAlias) and for a
// save that changes nothing, at emulator speed and with Lambda's AWS-like update time; and a
// --watch round from a save to the new code serving.
var (
	skipSync, onlySync *bool
	syncRuns           *int
)

// syncFiller is the size of the stand-in bases' filler layer: the base goes to the registry
// once, at the first deploy, and a sync pushes only the layer the edit changed.
const syncFiller = 8 << 20

// syncApp is one app the sync scenarios deploy: fns functions built from one context
// (./shared), all with AutoPublishAlias live when alias. An app with a per is measured
// against that app (the "10 shared functions ≤ 1.1× one").
type syncApp struct {
	key, label string
	fns        int
	alias      bool
	per        string
}

var syncApps = []syncApp{
	{key: "one", label: "one function", fns: 1},
	{key: "ten", label: "10 functions sharing one image", fns: 10, per: "one"},
	{key: "one-alias", label: "one function, AutoPublishAlias", fns: 1, alias: true},
	{key: "ten-alias", label: "10 functions sharing one image, AutoPublishAlias on all", fns: 10, alias: true, per: "one-alias"},
}

// syncSpeed is one setting of Lambda's update time, with the runs measured under it.
type syncSpeed struct {
	label   string
	update  time.Duration
	edit    map[string][]syncRun // by app key
	same    map[string][]syncRun
	watched []watchRun // of the one-function app
}

// syncSection measures the sync scenarios, at emulator speed on m and with the AWS-like
// update time on a moto of its own, over runs rounds, and returns their Markdown section.
func syncSection(bin string, m *testenv.Moto, dir string, runs int) (string, error) {
	start := time.Now()
	mirror, err := testenv.StartRegistry()
	if err != nil {
		return "", err
	}
	defer mirror.Stop()
	if _, err := testenv.PublishLambdaBases(context.Background(), mirror.URL, syncFiller); err != nil {
		return "", err
	}
	slow, err := testenv.StartMoto(testenv.LambdaUpdateTime(testenv.AWSLikeLambdaUpdate))
	if err != nil {
		return "", err
	}
	defer slow.Stop()
	if err := slow.Warm(context.Background()); err != nil {
		return "", err
	}
	var speeds []*syncSpeed
	for _, sp := range []struct {
		label  string
		m      *testenv.Moto
		update time.Duration
	}{
		{"emulator speed (update done at once)", m, 0},
		{fmt.Sprintf("AWS-like update time (%s InProgress)", secs(testenv.AWSLikeLambdaUpdate)), slow, testenv.AWSLikeLambdaUpdate},
	} {
		s, err := syncAtSpeed(bin, sp.m, filepath.Join(dir, "sync-"+fmt.Sprint(len(speeds))), strings.TrimPrefix(mirror.URL, "http://"), runs)
		if err != nil {
			return "", fmt.Errorf("sync, %s: %w", sp.label, err)
		}
		s.label, s.update = sp.label, sp.update
		speeds = append(speeds, s)
	}
	return renderSync(speeds, runs, time.Since(start)), nil
}

// syncEnv is one speed's surroundings: a fresh docker-registry fronted as m's ECR behind the
// counting proxy, and samship's environment for it.
type syncEnv struct {
	m    *testenv.Moto
	mt   *meter
	env  []string
	stop func()
}

func newSyncEnv(m *testenv.Moto, work, mirror string) (*syncEnv, error) {
	reg, err := testenv.StartRegistry()
	if err != nil {
		return nil, err
	}
	front, err := testenv.StartECRFront(reg, m)
	if err != nil {
		reg.Stop()
		return nil, err
	}
	u, _ := neturl.Parse(front.URL)
	mt := &meter{}
	srv := httptest.NewServer(mt.wrap(httputil.NewSingleHostReverseProxy(u)))
	cache, home := filepath.Join(work, "cache"), filepath.Join(work, "home")
	os.MkdirAll(cache, 0o755)
	os.MkdirAll(home, 0o755)
	env := append(testenv.Environ(m), "SAM_CLI_POLL_DELAY=", "SAMSHIP_REGISTRY_ENDPOINT="+srv.URL,
		"SAMSHIP_REGISTRY_MIRRORS=public.ecr.aws="+mirror, "XDG_CACHE_HOME="+cache, "HOME="+home,
		"DOCKER_HOST=unix://"+filepath.Join(work, "no-engine.sock"))
	return &syncEnv{m: m, mt: mt, env: env, stop: func() { srv.Close(); front.Stop(); reg.Stop() }}, nil
}

// syncAtSpeed deploys each app on m and measures its syncs, then a --watch session.
func syncAtSpeed(bin string, m *testenv.Moto, work, mirror string, runs int) (*syncSpeed, error) {
	if err := m.Reset(); err != nil {
		return nil, err
	}
	e, err := newSyncEnv(m, work, mirror)
	if err != nil {
		return nil, err
	}
	defer e.stop()
	s := &syncSpeed{edit: map[string][]syncRun{}, same: map[string][]syncRun{}}
	for _, a := range syncApps {
		app := filepath.Join(work, "app-"+a.key)
		stack := "sync-bench-" + a.key
		if err := a.write(app); err != nil {
			return nil, err
		}
		if _, _, err := samshipCmd(bin, app, e.env, "build"); err != nil {
			return nil, err
		}
		if _, _, err := samshipCmd(bin, app, e.env, "deploy", "--stack-name", stack, "--resolve-image-repos",
			"--capabilities", "CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"); err != nil {
			return nil, err
		}
		for i := 0; i < runs; i++ {
			if err := editApp(app, i); err != nil {
				return nil, err
			}
			r, err := e.sync(bin, app, stack)
			if err != nil {
				return nil, fmt.Errorf("%s, edit %d: %w", a.label, i+1, err)
			}
			if r.updated != a.fns {
				return nil, fmt.Errorf("%s, edit %d: %d functions updated, want %d:\n%s", a.label, i+1, r.updated, a.fns, tail(r.out))
			}
			s.edit[a.key] = append(s.edit[a.key], r)
			if err := resave(app); err != nil {
				return nil, err
			}
			if r, err = e.sync(bin, app, stack); err != nil {
				return nil, fmt.Errorf("%s, unchanged save %d: %w", a.label, i+1, err)
			}
			s.same[a.key] = append(s.same[a.key], r)
		}
		fmt.Fprintf(os.Stderr, "bench: sync: %s done\n", a.label)
		if a.key == "one" {
			if s.watched, err = e.watch(bin, app, stack, runs); err != nil {
				return nil, fmt.Errorf("%s, --watch: %w", a.label, err)
			}
		}
	}
	return s, nil
}

// write writes the app into dir: a template of a.fns image functions built from ./shared.
func (a syncApp) write(dir string) error {
	var t strings.Builder
	t.WriteString("Transform: AWS::Serverless-2016-10-31\nResources:\n")
	for i := 1; i <= a.fns; i++ {
		fmt.Fprintf(&t, "  Fn%02d:\n    Type: AWS::Serverless::Function\n    Properties:\n      PackageType: Image\n", i)
		if a.alias {
			t.WriteString("      AutoPublishAlias: live\n")
		}
		t.WriteString("    Metadata:\n      Dockerfile: Dockerfile\n      DockerContext: ./shared\n      DockerTag: v1\n")
	}
	files := map[string]string{
		"template.yaml":     t.String(),
		"shared/Dockerfile": "FROM public.ecr.aws/lambda/python:3.12\nCOPY app.py ./\nCMD [\"app.handler\"]\n",
		"shared/app.py":     "def handler(event, context):\n    return \"v0\"\n",
	}
	for p, c := range files {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, p)), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, p), []byte(c), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// editApp changes the app's code: what the handler returns.
func editApp(dir string, i int) error {
	body := fmt.Sprintf("def handler(event, context):\n    return \"v%d-%d\"\n", i+1, time.Now().UnixNano())
	return os.WriteFile(filepath.Join(dir, "shared", "app.py"), []byte(body), 0o644)
}

// resave writes the app's code again, the same bytes: an editor's save of an unchanged file.
func resave(dir string) error {
	p := filepath.Join(dir, "shared", "app.py")
	b, err := os.ReadFile(p)
	if err != nil {
		return err
	}
	return os.WriteFile(p, b, 0o644)
}
