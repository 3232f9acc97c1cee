package main

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"net/http/httputil"
	neturl "net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"

	"github.com/samship/samship/internal/testenv"
)

// engineBench is what every engine scenario shares: samship, the emulator, dockerd and the
// meter in front of it, and a scratch directory.
type engineBench struct {
	bin  string
	m    *testenv.Moto
	e    *testenv.Engine
	em   *engineMeter
	work string
	seq  int // numbers the scratch directories
}

// engineSet is one scenario set's surroundings: the emulator reset, a fresh docker-registry
// fronted as ECR behind the counting proxy, and a fresh samship cache (XDG_CACHE_HOME) kept
// across the set's deploys, where a cache would apply.
type engineSet struct {
	b      *engineBench
	regURL string
	mt     *meter
	cache  string
	stop   func()
}

func (b *engineBench) newSet() (*engineSet, error) {
	if err := b.m.Reset(); err != nil {
		return nil, err
	}
	reg, err := testenv.StartRegistry()
	if err != nil {
		return nil, err
	}
	front, err := testenv.StartECRFront(reg, b.m)
	if err != nil {
		reg.Stop()
		return nil, err
	}
	u, _ := neturl.Parse(front.URL)
	mt := &meter{}
	srv := httptest.NewServer(mt.wrap(httputil.NewSingleHostReverseProxy(u)))
	s := &engineSet{b: b, regURL: srv.URL, mt: mt, cache: b.scratch("cache"),
		stop: func() { srv.Close(); front.Stop(); reg.Stop() }}
	return s, nil
}

// scratch returns a new empty directory under the bench's work directory.
func (b *engineBench) scratch(kind string) string {
	b.seq++
	p := filepath.Join(b.work, fmt.Sprintf("%s-%d", kind, b.seq))
	os.RemoveAll(p)
	os.MkdirAll(p, 0o755)
	return p
}

// engineRun is what one samship deploy or docker push cost.
type engineRun struct {
	wall, cpu         time.Duration
	rss, temp, cache  int64 // peak RSS, peak size of TMPDIR, size of XDG_CACHE_HOME after
	engineRead        int64
	engineCalls       string
	compressed        int64 // bytes of layers samship compressed (its "of new layers compressed")
	sent              int64
	requests, uploads int
}

// template writes a template of n image functions using the engine's image tag.
func (b *engineBench) template(tag string, n int) (string, error) {
	var t strings.Builder
	t.WriteString("Resources:\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&t, "  Fn%02d:\n    Type: AWS::Lambda::Function\n    Properties: {PackageType: Image, Code: {ImageUri: %q}}\n", i, tag)
	}
	p := filepath.Join(b.scratch("template"), "template.yaml")
	return p, os.WriteFile(p, []byte(t.String()), 0o644)
}

// deploy runs `samship deploy --resolve-image-repos` of tpl once in set s, with a fresh
// TMPDIR whose size it samples every 20 ms.
func (s *engineSet) deploy(tpl string) (engineRun, error) {
	var r engineRun
	tmp := s.b.scratch("tmp")
	defer os.RemoveAll(tmp)
	cmd := exec.Command(s.b.bin, "deploy", "-t", tpl, "--stack-name", "engine-bench", "--resolve-image-repos",
		"--no-fail-on-empty-changeset", "--debug")
	cmd.Dir = filepath.Dir(tpl)
	cmd.Env = append(testenv.Environ(s.b.m), "SAM_CLI_POLL_DELAY=", "SAMSHIP_REGISTRY_ENDPOINT="+s.regURL,
		"DOCKER_HOST="+s.b.em.Host, "TMPDIR="+tmp, "XDG_CACHE_HOME="+s.cache)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	sent0, req0, up0, _ := s.mt.snapshot()
	s.b.em.reset()
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return r, err
	}
	maxRSS := peakRSS(cmd.Process.Pid)
	stopTemp, peakTemp := sampleSize(tmp, 20*time.Millisecond)
	err := cmd.Wait()
	r.wall = time.Since(start)
	stopTemp()
	r.temp, r.rss = <-peakTemp, <-maxRSS*1024
	if err != nil {
		return r, fmt.Errorf("samship deploy: %w\n%s", err, tail(out.String()))
	}
	r.cpu = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	r.cache = dirSize(s.cache)
	r.engineRead, r.engineCalls = s.b.em.snapshot()
	r.compressed = compressedBytes(out.String())
	sent, req, up, _ := s.mt.snapshot()
	r.sent, r.requests, r.uploads = sent-sent0, req-req0, up-up0
	return r, nil
}

// dockerPush pushes the engine's image tag with `docker push` (through the engine directly)
// to repository repo of set s's registry, creating the repository in the emulator's ECR the
// first time.
func (s *engineSet) dockerPush(tag, repo string) (engineRun, error) {
	var r engineRun
	ctx := context.Background()
	cfg, err := s.b.m.Config(ctx)
	if err != nil {
		return r, err
	}
	_, err = ecr.NewFromConfig(cfg).CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String(repo)})
	var exists *ecrtypes.RepositoryAlreadyExistsException
	if err != nil && !errors.As(err, &exists) {
		return r, fmt.Errorf("create repository %s: %w", repo, err)
	}
	dst := strings.TrimPrefix(s.regURL, "http://") + "/" + repo + ":latest"
	docker := func(args ...string) error {
		cmd := exec.Command("docker", append([]string{"-H", s.b.e.Host}, args...)...)
		cmd.Env = append(os.Environ(), "DOCKER_CONFIG="+filepath.Join(s.b.work, "docker-config"))
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("docker %s: %w\n%s", strings.Join(args, " "), err, tail(string(out)))
		}
		return nil
	}
	if err := docker("tag", tag, dst); err != nil {
		return r, err
	}
	sent0, req0, up0, _ := s.mt.snapshot()
	start := time.Now()
	if err := docker("push", "--quiet", dst); err != nil {
		return r, err
	}
	r.wall = time.Since(start)
	sent, req, up, _ := s.mt.snapshot()
	r.sent, r.requests, r.uploads = sent-sent0, req-req0, up-up0
	return r, nil
}

// sampleSize sums the sizes of the files under dir every interval until stop is called, and
// then sends the largest sum seen.
func sampleSize(dir string, interval time.Duration) (stop func(), peak <-chan int64) {
	ch := make(chan int64, 1)
	done := make(chan struct{})
	go func() {
		var peak int64
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			peak = max(peak, dirSize(dir))
			select {
			case <-done:
				ch <- max(peak, dirSize(dir))
				return
			case <-t.C:
			}
		}
	}()
	var once sync.Once
	return func() { once.Do(func() { close(done) }) }, ch
}

// dirSize is the total size of the regular files under dir (0 when it does not exist).
func dirSize(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(_ string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}

// compressedRE matches what samship says it compressed of a read from the engine.
var compressedRE = regexp.MustCompile(`, ([0-9.]+) MB of new layers compressed`)

// compressedBytes adds up the layers samship says it compressed in its output.
func compressedBytes(out string) int64 {
	var n float64
	for _, m := range compressedRE.FindAllStringSubmatch(out, -1) {
		v, _ := strconv.ParseFloat(m[1], 64)
		n += v * 1e6
	}
	return int64(n)
}
