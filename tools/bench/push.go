package main

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
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

// pushBench measures issue 4's scenarios and returns their Markdown section.
func pushBench(bin string, m *testenv.Moto, dir string) (string, error) {
	reg, err := testenv.StartRegistry()
	if err != nil {
		return "", err
	}
	defer reg.Stop()
	u, _ := url.Parse(reg.URL)
	mt := &meter{}
	srv := httptest.NewServer(mt.wrap(httputil.NewSingleHostReverseProxy(u)))
	defer srv.Close()

	// 20 images: a shared 50 MB base layer and 1 MB of their own each (random, so
	// incompressible), as OCI layouts.
	work := filepath.Join(dir, "push")
	base, err := random.Layer(50<<20, types.OCILayer)
	if err != nil {
		return "", err
	}
	unique, _ := base.Size()
	// A proper OCI image (skopeo refuses Docker manifests with OCI layers).
	ociBase := mutate.ConfigMediaType(mutate.MediaType(empty.Image, types.OCIManifestSchema1), types.OCIConfigJSON)
	var tpl strings.Builder
	tpl.WriteString("Resources:\n")
	for i := 1; i <= 20; i++ {
		own, _ := random.Layer(1<<20, types.OCILayer)
		img, err := mutate.AppendLayers(ociBase, base, own)
		if err != nil {
			return "", err
		}
		p, err := layout.Write(filepath.Join(work, fmt.Sprintf("img/fn%02d", i)), empty.Index)
		if err != nil {
			return "", err
		}
		if err := p.AppendImage(img); err != nil {
			return "", err
		}
		s, _ := own.Size()
		cfg, _ := img.RawConfigFile()
		man, _ := img.RawManifest()
		unique += s + int64(len(cfg)) + int64(len(man))
		fmt.Fprintf(&tpl, "  Fn%02d:\n    Type: AWS::Lambda::Function\n    Properties:\n      PackageType: Image\n      Code: {ImageUri: img/fn%02d}\n", i, i)
	}
	if err := os.WriteFile(filepath.Join(work, "template.yaml"), []byte(tpl.String()), 0o644); err != nil {
		return "", err
	}
	env := append(testenv.Environ(m), "SAMSHIP_REGISTRY_ENDPOINT="+srv.URL)
	pushPhase := regexp.MustCompile(`Images: .* \(([0-9.]+) s\)`)
	var lastPush time.Duration
	run := func(args ...string) error {
		cmd := exec.Command(bin, args...)
		cmd.Dir, cmd.Env = work, env
		out, err := cmd.CombinedOutput()
		if err != nil {
			return fmt.Errorf("samship %s: %v\n%s", strings.Join(args, " "), err, tail(string(out)))
		}
		if m := pushPhase.FindSubmatch(out); m != nil {
			secs, _ := strconv.ParseFloat(string(m[1]), 64)
			lastPush = time.Duration(secs * float64(time.Second))
		}
		return nil
	}
	deploy := []string{"deploy", "--stack-name", "pushbench", "--resolve-image-repos", "--no-fail-on-empty-changeset"}

	b0, _, _, _ := mt.snapshot()
	start := time.Now()
	if err := run(deploy...); err != nil {
		return "", err
	}
	first, firstPush := time.Since(start), lastPush
	b1, r1, u1, m1 := mt.snapshot()
	start = time.Now()
	if err := run(deploy...); err != nil {
		return "", err
	}
	again := time.Since(start)
	b2, r2, u2, m2 := mt.snapshot()

	// skopeo copy of the same 20 images, one after another, to the same registry.
	start = time.Now()
	for i := 1; i <= 20; i++ {
		dst := fmt.Sprintf("docker://%s/skopeo/fn%02d:latest", strings.TrimPrefix(srv.URL, "http://"), i)
		out, err := exec.Command("skopeo", "copy", "--quiet", "--dest-tls-verify=false",
			"oci:"+filepath.Join(work, fmt.Sprintf("img/fn%02d", i)), dst).CombinedOutput()
		if err != nil {
			return "", fmt.Errorf("skopeo copy: %v\n%s", err, out)
		}
	}
	skopeo := time.Since(start)
	b3, _, _, _ := mt.snapshot()

	// Peak memory pushing one 1 GB image.
	bigDir := filepath.Join(dir, "big")
	big, err := random.Layer(1<<30, types.OCILayer)
	if err != nil {
		return "", err
	}
	bigImg, _ := mutate.AppendLayers(ociBase, big)
	p, err := layout.Write(filepath.Join(bigDir, "img"), empty.Index)
	if err != nil {
		return "", err
	}
	if err := p.AppendImage(bigImg); err != nil {
		return "", err
	}
	big, bigImg = nil, nil
	os.WriteFile(filepath.Join(bigDir, "template.yaml"), []byte("Resources:\n  Big:\n    Type: AWS::Lambda::Function\n    Properties: {PackageType: Image, Code: {ImageUri: img}}\n"), 0o644)
	cmd := exec.Command(bin, "deploy", "--stack-name", "bigbench", "--resolve-image-repos", "--no-fail-on-empty-changeset")
	cmd.Dir, cmd.Env = bigDir, env
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	start = time.Now()
	if err := cmd.Start(); err != nil {
		return "", err
	}
	maxRSS := peakRSS(cmd.Process.Pid)
	if err := cmd.Wait(); err != nil {
		return "", fmt.Errorf("samship (1 GB image): %v\n%s", err, tail(out.String()))
	}
	bigTime := time.Since(start)

	mb := func(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/1e6) }
	var s strings.Builder
	fmt.Fprintf(&s, "\n## Images (issue 4)\n\nDebian's docker-registry on 127.0.0.1 behind a counting proxy; moto for the AWS side. Images are made in code\n(random, incompressible layers) as OCI layouts. One run each.\n\n")
	s.WriteString("| scenario | wall time | sent to the registry | registry requests | blob uploads | manifests |\n|---|---|---|---|---|---|\n")
	fmt.Fprintf(&s, "| `samship deploy`, first: 20 images sharing a 50 MB base, 1 MB each of their own (unique bytes %s) | %s, of which pushing %s | %s (%.3f× unique) | %d | %d | %d |\n",
		mb(unique), secs(first), secs(firstPush), mb(b1-b0), float64(b1-b0)/float64(unique), r1, u1, m1)
	fmt.Fprintf(&s, "| the same again, nothing changed | %s | %s | %d (%.1f per image) | %d | %d |\n",
		secs(again), mb(b2-b1), r2-r1, float64(r2-r1)/20, u2-u1, m2-m1)
	fmt.Fprintf(&s, "| `skopeo copy` of the same 20 images one after another (skopeo 1.9.3) | %s | %s | – | – | – |\n", secs(skopeo), mb(b3-b2))
	fmt.Fprintf(&s, "| `samship deploy` of one 1 GB image | %s | – | – | – | – |\n", secs(bigTime))
	fmt.Fprintf(&s, "\nsamship's push phase ÷ skopeo for the 20 images: %.2f (target ≤ 0.5); the whole deploy ÷ skopeo: %.2f. Peak memory (VmHWM of the samship process) pushing\nthe 1 GB image: %.0f MB (target ≤ 100 MB). The first samship deploy includes creating the 20 repositories and the stacks.\n",
		firstPush.Seconds()/skopeo.Seconds(), first.Seconds()/skopeo.Seconds(), float64(<-maxRSS)/1024)
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
