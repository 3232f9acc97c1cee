package main

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	neturl "net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/samship/samship/internal/testenv"
)

// meter is a reverse proxy in front of the registry that counts what clients send.
type meter struct {
	mu                           sync.Mutex
	bytes                        int64
	requests, uploads, manifests int
}

type countingBody struct {
	io.ReadCloser
	m *meter
}

func (c countingBody) Read(p []byte) (int, error) {
	n, err := c.ReadCloser.Read(p)
	c.m.mu.Lock()
	c.m.bytes += int64(n)
	c.m.mu.Unlock()
	return n, err
}

func (m *meter) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.mu.Lock()
		if r.URL.Path != "/v2/" {
			m.requests++
		}
		switch {
		case r.Method == http.MethodPatch || (r.Method == http.MethodPut && strings.Contains(r.URL.Path, "/blobs/uploads/")) || (r.Method == http.MethodPost && r.URL.Query().Get("digest") != ""):
			m.uploads++
		case r.Method == http.MethodPut && strings.Contains(r.URL.Path, "/manifests/"):
			m.manifests++
		}
		m.mu.Unlock()
		if r.Body != nil {
			r.Body = countingBody{r.Body, m}
		}
		h.ServeHTTP(w, r)
	})
}

func (m *meter) snapshot() (int64, int, int, int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.bytes, m.requests, m.uploads, m.manifests
}

// registryUnderMeter starts a fresh docker-registry behind a counting proxy.
func registryUnderMeter() (url string, mt *meter, stop func(), err error) {
	reg, err := testenv.StartRegistry()
	if err != nil {
		return "", nil, nil, err
	}
	u, _ := neturl.Parse(reg.URL)
	mt = &meter{}
	srv := httptest.NewServer(mt.wrap(httputil.NewSingleHostReverseProxy(u)))
	return srv.URL, mt, func() { srv.Close(); reg.Stop() }, nil
}

// pushRound is one round of the 20-image scenario, on a fresh registry and a reset emulator.
type pushRound struct {
	first, firstPush, again, skopeo time.Duration
	execute                         time.Duration // moto's ExecuteChangeSet in the first deploy
	pkg                             time.Duration // samship package into 20 existing repositories
	sentPkg                         int64
	requestsPkg                     int
	sent, sentAgain, sentSkopeo     int64
	requests, uploads, manifests    int
	requestsAgain, uploadsAgain     int
	manifestsAgain                  int
}

var (
	pushPhase   = regexp.MustCompile(`Images: .* \(([0-9.]+) s\)`)
	executeCall = regexp.MustCompile(`aws call cloudformation:ExecuteChangeSet (\d+)ms`)
)

func runPushRound(bin string, m *testenv.Moto, work string) (pushRound, error) {
	var r pushRound
	if err := m.Reset(); err != nil {
		return r, err
	}
	regURL, mt, stop, err := registryUnderMeter()
	if err != nil {
		return r, err
	}
	defer stop()
	env := append(testenv.Environ(m), "SAMSHIP_REGISTRY_ENDPOINT="+regURL)
	// deploy returns the wall time, the push phase and moto's ExecuteChangeSet call.
	deploy := func() (time.Duration, time.Duration, time.Duration, error) {
		cmd := exec.Command(bin, "deploy", "--stack-name", "pushbench", "--resolve-image-repos", "--no-fail-on-empty-changeset", "--debug")
		cmd.Dir, cmd.Env = work, env
		start := time.Now()
		out, err := cmd.CombinedOutput()
		d := time.Since(start)
		if err != nil {
			return 0, 0, 0, fmt.Errorf("samship deploy: %w\n%s", err, tail(string(out)))
		}
		var push, execute time.Duration
		if m := pushPhase.FindSubmatch(out); m != nil {
			secs, _ := strconv.ParseFloat(string(m[1]), 64)
			push = time.Duration(secs * float64(time.Second))
		}
		if m := executeCall.FindSubmatch(out); m != nil {
			ms, _ := strconv.Atoi(string(m[1]))
			execute = time.Duration(ms) * time.Millisecond
		}
		return d, push, execute, nil
	}
	if r.first, r.firstPush, r.execute, err = deploy(); err != nil {
		return r, err
	}
	r.sent, r.requests, r.uploads, r.manifests = mt.snapshot()
	if r.again, _, _, err = deploy(); err != nil {
		return r, err
	}
	b2, r2, u2, m2 := mt.snapshot()
	r.sentAgain, r.requestsAgain, r.uploadsAgain, r.manifestsAgain = b2-r.sent, r2-r.requests, u2-r.uploads, m2-r.manifests

	// samship package of the same images into 20 repositories it did not create (so it looks
	// in each first), without any stack: the whole process, as skopeo's below.
	args := []string{"package", "--output-template-file", os.DevNull}
	for i := 1; i <= 20; i++ {
		args = append(args, "--image-repositories", fmt.Sprintf("Fn%02d=123456789012.dkr.ecr.us-east-1.amazonaws.com/pkg/fn%02d", i, i))
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir, cmd.Env = work, env
	start := time.Now()
	if out, err := cmd.CombinedOutput(); err != nil {
		return r, fmt.Errorf("samship package: %w\n%s", err, tail(string(out)))
	}
	r.pkg = time.Since(start)
	b25, r25, _, _ := mt.snapshot()
	r.sentPkg, r.requestsPkg = b25-b2, r25-r2

	// skopeo copy of the same 20 images, one after another, to the same registry.
	start = time.Now()
	for i := 1; i <= 20; i++ {
		dst := fmt.Sprintf("docker://%s/skopeo/fn%02d:latest", strings.TrimPrefix(regURL, "http://"), i)
		out, err := exec.Command("skopeo", "copy", "--quiet", "--dest-tls-verify=false",
			"oci:"+filepath.Join(work, fmt.Sprintf("img/fn%02d", i)), dst).CombinedOutput()
		if err != nil {
			return r, fmt.Errorf("skopeo copy: %w\n%s", err, out)
		}
	}
	r.skopeo = time.Since(start)
	b3, _, _, _ := mt.snapshot()
	r.sentSkopeo = b3 - b25
	return r, nil
}

// ociBase is an empty OCI image (skopeo refuses Docker manifests with OCI layers).
var ociBase = mutate.ConfigMediaType(mutate.MediaType(empty.Image, types.OCIManifestSchema1), types.OCIConfigJSON)

// writePushImages writes 20 OCI layouts sharing a 50 MB base layer, each with 1 MB of its own
// (random, so incompressible), and a template of 20 functions using them; it returns the
// unique bytes.
func writePushImages(work string) (int64, error) {
	base, err := random.Layer(50<<20, types.OCILayer)
	if err != nil {
		return 0, err
	}
	unique, _ := base.Size()
	var tpl strings.Builder
	tpl.WriteString("Resources:\n")
	for i := 1; i <= 20; i++ {
		own, _ := random.Layer(1<<20, types.OCILayer)
		img, err := mutate.AppendLayers(ociBase, base, own)
		if err != nil {
			return 0, err
		}
		p, err := layout.Write(filepath.Join(work, fmt.Sprintf("img/fn%02d", i)), empty.Index)
		if err != nil {
			return 0, err
		}
		if err := p.AppendImage(img); err != nil {
			return 0, err
		}
		s, _ := own.Size()
		cfg, _ := img.RawConfigFile()
		man, _ := img.RawManifest()
		unique += s + int64(len(cfg)) + int64(len(man))
		fmt.Fprintf(&tpl, "  Fn%02d:\n    Type: AWS::Lambda::Function\n    Properties:\n      PackageType: Image\n      Code: {ImageUri: img/fn%02d}\n", i, i)
	}
	return unique, os.WriteFile(filepath.Join(work, "template.yaml"), []byte(tpl.String()), 0o644)
}

// bigPush deploys one 1 GB image and returns the wall time and the peak memory (KiB).
func bigPush(bin string, m *testenv.Moto, dir string) (time.Duration, int64, error) {
	regURL, _, stop, err := registryUnderMeter()
	if err != nil {
		return 0, 0, err
	}
	defer stop()
	big, err := random.Layer(1<<30, types.OCILayer)
	if err != nil {
		return 0, 0, err
	}
	bigImg, _ := mutate.AppendLayers(ociBase, big)
	p, err := layout.Write(filepath.Join(dir, "img"), empty.Index)
	if err != nil {
		return 0, 0, err
	}
	if err := p.AppendImage(bigImg); err != nil {
		return 0, 0, err
	}
	tpl := "Resources:\n  Big:\n    Type: AWS::Lambda::Function\n    Properties: {PackageType: Image, Code: {ImageUri: img}}\n"
	if err := os.WriteFile(filepath.Join(dir, "template.yaml"), []byte(tpl), 0o644); err != nil {
		return 0, 0, err
	}
	cmd := exec.Command(bin, "deploy", "--stack-name", "bigbench", "--resolve-image-repos", "--no-fail-on-empty-changeset")
	cmd.Dir, cmd.Env = dir, append(testenv.Environ(m), "SAMSHIP_REGISTRY_ENDPOINT="+regURL)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, 0, err
	}
	maxRSS := peakRSS(cmd.Process.Pid)
	if err := cmd.Wait(); err != nil {
		return 0, 0, fmt.Errorf("samship (1 GB image): %w\n%s", err, tail(out.String()))
	}
	return time.Since(start), <-maxRSS, nil
}

// pushBench measures issue 4's scenarios over runs rounds and returns their Markdown section.
func pushBench(bin string, m *testenv.Moto, dir string, runs int) (string, error) {
	work := filepath.Join(dir, "push")
	unique, err := writePushImages(work)
	if err != nil {
		return "", err
	}
	var first, firstPush, again, skopeo, execute, pkg, ratio, pkgRatio []time.Duration
	var last pushRound
	for i := 0; i < runs; i++ {
		r, err := runPushRound(bin, m, work)
		if err != nil {
			return "", err
		}
		first, firstPush, again, skopeo = append(first, r.first), append(firstPush, r.firstPush), append(again, r.again), append(skopeo, r.skopeo)
		execute, pkg = append(execute, r.execute), append(pkg, r.pkg)
		pkgRatio = append(pkgRatio, time.Duration(1000*r.pkg.Seconds()/r.skopeo.Seconds()))
		// The ratio per round (same machine load for both), kept as a duration ×1000 to sort it.
		ratio = append(ratio, time.Duration(1000*r.firstPush.Seconds()/r.skopeo.Seconds()))
		last = r
	}
	bigTime, bigRSS, err := bigPush(bin, m, filepath.Join(dir, "big"))
	if err != nil {
		return "", err
	}

	mb := func(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/1e6) }
	span := func(ds []time.Duration) string {
		s := append([]time.Duration{}, ds...)
		sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
		return fmt.Sprintf("%s (%s–%s)", secs(s[len(s)/2]), secs(s[0]), secs(s[len(s)-1]))
	}
	med := func(ds []time.Duration) time.Duration {
		s := append([]time.Duration{}, ds...)
		sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
		return s[len(s)/2]
	}
	var s strings.Builder
	fmt.Fprintf(&s, "\n## Images (issue 4)\n\nDebian's docker-registry on 127.0.0.1 behind a counting proxy; moto for the AWS side. Images are made in code\n"+
		"(random, incompressible layers) as OCI layouts. Each of %d rounds starts a fresh registry and resets the emulator, then runs\n"+
		"the first deploy, the unchanged redeploy, samship package and skopeo; times are medians (min–max), bytes and requests are those of the last round.\n\n", runs)
	s.WriteString("| scenario | wall time | sent to the registry | registry requests | blob uploads | manifests |\n|---|---|---|---|---|---|\n")
	fmt.Fprintf(&s, "| `samship deploy`, first: 20 images sharing a 50 MB base, 1 MB each of their own (unique bytes %s) | %s; pushing %s | %s (%.3f× unique) | %d | %d | %d |\n",
		mb(unique), span(first), span(firstPush), mb(last.sent), float64(last.sent)/float64(unique), last.requests, last.uploads, last.manifests)
	fmt.Fprintf(&s, "| the same again, nothing changed | %s | %s | %d (%.1f per image) | %d | %d |\n",
		span(again), mb(last.sentAgain), last.requestsAgain, float64(last.requestsAgain)/20, last.uploadsAgain, last.manifestsAgain)
	fmt.Fprintf(&s, "| `samship package` of the same 20 images into 20 other repositories (`--image-repositories`, no stack; whole process) | %s | %s | %d | – | – |\n",
		span(pkg), mb(last.sentPkg), last.requestsPkg)
	fmt.Fprintf(&s, "| `skopeo copy` of the same 20 images one after another (skopeo 1.9.3) | %s | %s | – | – | – |\n", span(skopeo), mb(last.sentSkopeo))
	fmt.Fprintf(&s, "| `samship deploy` of one 1 GB image (one run) | %s | – | – | – | – |\n", secs(bigTime))
	fmt.Fprintf(&s, "\nsamship ÷ skopeo for the 20 images, medians of the per-round ratios: the deploy's push phase %.2f, the whole `samship package` process %.2f\n"+
		"(target ≤ 0.5); the whole deploy ÷ skopeo: %.2f.\n"+
		"Peak memory (VmHWM of the samship process) pushing the 1 GB image: %.0f MB (target ≤ 100 MB). The first samship deploy includes\n"+
		"creating the 20 repositories and the stacks; moto's ExecuteChangeSet, which creates the 20 Lambda functions before it answers,\n"+
		"takes %s of it (median).\n",
		float64(med(ratio))/1000, float64(med(pkgRatio))/1000, med(first).Seconds()/med(skopeo).Seconds(), float64(bigRSS)/1024, secs(med(execute)))
	return s.String(), nil
}

// peakRSS follows /proc/<pid>/status while the process runs and sends its last VmHWM (KiB):
// the high-water mark of the process's own memory. (The rusage of a child started by Go
// also counts the parent's memory at the fork, so it cannot be used here.)
func peakRSS(pid int) <-chan int64 {
	ch := make(chan int64, 1)
	go func() {
		var peak int64
		for {
			b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
			if err != nil || strings.Contains(string(b), "State:\tZ") {
				ch <- peak
				return
			}
			for _, l := range strings.Split(string(b), "\n") {
				var kb int64
				if _, err := fmt.Sscanf(l, "VmHWM: %d kB", &kb); err == nil && kb > peak {
					peak = kb
				}
			}
			time.Sleep(5 * time.Millisecond)
		}
	}()
	return ch
}
