// Command bench measures samship against a local moto_server and writes the results as
// Markdown: median wall time of repeated runs and AWS calls by operation, for `--version` and
// for deploys of 3, 50 and 200 image functions (first, unchanged, one function removed), and
// for prune of 200 repositories of 20 images, and for images of up to 3 GB in a Docker engine
// against docker push, and for `samship build` of sam init's image apps against docker build
// and docker push, and for `samship sync --code` (edit → serving, unchanged saves, --watch)
// at emulator speed and with Lambda's AWS-like update time.
// Run it with `make bench`.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/samship/samship/internal/testenv"
)

func main() {
	out := flag.String("out", "docs/benchmarks.md", "Markdown file to write")
	runs := flag.Int("runs", 5, "runs per scenario")
	skipPush = flag.Bool("skip-push", false, "skip the image push scenarios")
	onlyPush = flag.Bool("only-push", false, "run only the image push scenarios (and print, not write, them)")
	skipLatency = flag.Bool("skip-latency", false, "skip the AWS-like latency scenarios")
	onlyLatency = flag.Bool("only-latency", false, "run only the AWS-like latency scenarios (and print, not write, them)")
	latencyRuns = flag.Int("latency-runs", 3, "runs per AWS-like latency scenario")
	latencyScale = flag.Float64("latency-scale", 1, "multiply the AWS-like stack times by this (quick looks)")
	skipPrune = flag.Bool("skip-prune", false, "skip the prune scenarios")
	onlyPrune = flag.Bool("only-prune", false, "run only the prune scenarios (and print, not write, them)")
	skipEngine = flag.Bool("skip-engine", false, "skip the Docker engine image scenarios")
	onlyEngine = flag.Bool("only-engine", false, "run only the Docker engine image scenarios (and print, not write, them)")
	engineRuns = flag.Int("engine-runs", 3, "rounds of the 1 MB, 200 MB and 1 GB engine scenarios (the others run once)")
	engineScale = flag.Float64("engine-scale", 1, "multiply the engine image sizes by this (quick looks)")
	skipBuild = flag.Bool("skip-build", false, "skip the samship build scenarios")
	onlyBuild = flag.Bool("only-build", false, "run only the samship build scenarios (and print, not write, them)")
	buildRuns = flag.Int("build-runs", 5, "rounds per app of the samship build scenarios")
	skipSync = flag.Bool("skip-sync", false, "skip the samship sync scenarios")
	onlySync = flag.Bool("only-sync", false, "run only the samship sync scenarios (and print, not write, them)")
	syncRuns = flag.Int("sync-runs", 5, "rounds per app of the samship sync scenarios")
	flag.Parse()
	if err := run(*out, *runs); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

var (
	skipPush, onlyPush, skipLatency, onlyLatency *bool
	skipPrune, onlyPrune                         *bool
	latencyRuns                                  *int
	latencyScale                                 *float64
)

type result struct {
	name  string
	times []time.Duration
	calls string // "total: op×n, ..." of the last run
	total int
}

func (r *result) median() time.Duration {
	s := append([]time.Duration{}, r.times...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

func run(outPath string, runs int) error {
	bin, err := filepath.Abs("bin/samship")
	if err != nil {
		return err
	}
	m, err := testenv.StartMoto()
	if err != nil {
		return err
	}
	defer m.Stop()
	if err := m.Warm(context.Background()); err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "samship-bench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	if *onlyLatency {
		section, err := latencyBench(bin, m, dir, *latencyRuns, *latencyScale)
		fmt.Print(section)
		return err
	}
	if *onlyPrune {
		section, err := pruneBench(bin, m, dir, runs)
		fmt.Print(section)
		return err
	}
	if *onlyEngine {
		section, err := engineSection(bin, m, dir, *engineRuns, *engineScale)
		fmt.Print(section)
		return err
	}
	if *onlyBuild {
		section, err := buildSection(bin, m, dir, *buildRuns)
		fmt.Print(section)
		return err
	}
	if *onlySync {
		section, err := syncSection(bin, m, dir, *syncRuns)
		fmt.Print(section)
		return err
	}
	if *onlyPush {
		section, err := pushBench(bin, m, dir, runs)
		fmt.Print(section)
		return err
	}
	var results []*result
	version := &result{name: "`samship --version`"}
	for i := 0; i < runs; i++ {
		d, _, _, err := samship(bin, dir, m, "--version")
		if err != nil {
			return err
		}
		version.times = append(version.times, d)
	}
	results = append(results, version)

	for _, n := range []int{3, 50, 200} {
		full := filepath.Join(dir, fmt.Sprintf("t%d.yaml", n))
		less := filepath.Join(dir, fmt.Sprintf("t%d-less.yaml", n))
		os.WriteFile(full, []byte(testenv.ImageTemplate(n, 0)), 0o644)
		os.WriteFile(less, []byte(testenv.ImageTemplate(n-1, 0)), 0o644)
		scen := []*result{
			{name: fmt.Sprintf("first deploy, %d functions, fresh account", n)},
			{name: fmt.Sprintf("same again, nothing changed, %d functions", n)},
			{name: fmt.Sprintf("one function removed, %d → %d", n, n-1)},
		}
		for i := 0; i < runs; i++ {
			if err := m.Reset(); err != nil {
				return err
			}
			for j, tpl := range []string{full, full, less} {
				args := []string{"deploy", "-t", tpl, "--stack-name", "bench", "--resolve-image-repos", "--resolve-s3",
					"--capabilities", "CAPABILITY_IAM", "--no-fail-on-empty-changeset", "--debug"}
				d, calls, total, err := samship(bin, dir, m, args...)
				if err != nil {
					return fmt.Errorf("%s: %w", scen[j].name, err)
				}
				scen[j].times = append(scen[j].times, d)
				scen[j].calls, scen[j].total = calls, total
			}
		}
		results = append(results, scen...)
	}
	md := render(results, runs)
	if !*skipLatency {
		section, err := latencyBench(bin, m, dir, *latencyRuns, *latencyScale)
		if err != nil {
			return err
		}
		md += section
	}
	if !*skipPrune {
		section, err := pruneBench(bin, m, dir, runs)
		if err != nil {
			return err
		}
		md += section
	}
	// The image, engine, build and sync scenarios each get an emulator of their own, as with
	// their -only-* flags: the one above holds the state of the deploys before them.
	for _, sec := range []struct {
		skip bool
		run  func(m *testenv.Moto) (string, error)
	}{
		{*skipPush, func(m *testenv.Moto) (string, error) { return pushBench(bin, m, dir, runs) }},
		{*skipEngine, func(m *testenv.Moto) (string, error) { return engineSection(bin, m, dir, *engineRuns, *engineScale) }},
		{*skipBuild, func(m *testenv.Moto) (string, error) { return buildSection(bin, m, dir, *buildRuns) }},
		{*skipSync, func(m *testenv.Moto) (string, error) { return syncSection(bin, m, dir, *syncRuns) }},
	} {
		if sec.skip {
			continue
		}
		m.Stop()
		if m, err = testenv.StartMoto(); err != nil {
			return err
		}
		defer m.Stop()
		if err := m.Warm(context.Background()); err != nil {
			return err
		}
		section, err := sec.run(m)
		if err != nil {
			return err
		}
		md += section
	}
	fmt.Print(md)
	return os.WriteFile(outPath, []byte(md), 0o644)
}

var callsLine = regexp.MustCompile(`(?m)^aws calls: (\d+) \[(.*)\]$`)

// samship runs the binary once and returns its wall time and, with --debug, its AWS calls.
func samship(bin, dir string, m *testenv.Moto, args ...string) (time.Duration, string, int, error) {
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = append(testenv.Environ(m), "SAM_CLI_POLL_DELAY=")
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	start := time.Now()
	err := cmd.Run()
	d := time.Since(start)
	if err != nil {
		return 0, "", 0, fmt.Errorf("samship %s: %w\n%s", strings.Join(args, " "), err, tail(stderr.String()))
	}
	calls, total := parseCalls(stderr.String())
	return d, calls, total, nil
}

// parseCalls reads the "aws calls:" line --debug ends with: the calls by operation, and
// their number.
func parseCalls(out string) (string, int) {
	mm := callsLine.FindStringSubmatch(out)
	if mm == nil {
		return "", 0
	}
	total, _ := strconv.Atoi(mm[1])
	return strings.ReplaceAll(mm[2], " ", ", "), total
}

func tail(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > 15 {
		lines = lines[len(lines)-15:]
	}
	return strings.Join(lines, "\n")
}

func render(results []*result, runs int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Benchmarks\n\nWritten by `make bench` on %s (%s/%s, %d CPUs, %s) against moto_server on 127.0.0.1.\n",
		time.Now().UTC().Format("2006-01-02"), runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version())
	fmt.Fprintf(&b, "Each deploy scenario is `samship deploy --resolve-image-repos --resolve-s3` of a generated template of N\n"+
		"`AWS::Lambda::Function` image functions; \"fresh account\" means the emulator was reset first, so the companion\n"+
		"stack and the application stack are created, and the managed bucket stack when something must go to S3 (the\n"+
		"200-function template, over the inline limit). Times are the median of %d runs,\n"+
		"wall clock from process start to exit; calls are what the SDK middleware counted (`--debug`).\n\n", runs)
	b.WriteString("| scenario | median | min–max | AWS calls | calls by operation |\n|---|---|---|---|---|\n")
	for _, r := range results {
		s := append([]time.Duration{}, r.times...)
		sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
		calls := "–"
		if r.calls != "" {
			calls = strconv.Itoa(r.total)
		}
		fmt.Fprintf(&b, "| %s | %s | %s–%s | %s | %s |\n", r.name, secs(r.median()), secs(s[0]), secs(s[len(s)-1]), calls, r.calls)
	}
	b.WriteString(`
## Reference: SAM CLI 1.164.0 against moto (../shared/reference/sam-cli-observed.md §5)

| scenario | SAM CLI median (default 5 s poll) | with SAM_CLI_POLL_DELAY=0.2 | AWS calls |
|---|---|---|---|
| first deploy, 3 functions, fresh account | 7.06 s | 2.39 s | 24 |
| same again, nothing changed, 3 functions | 1.75 s (exit 1) | 1.82 s | 15 |
| one function removed, 3 → 2 | 6.76 s | 2.10 s | 24 |
| first deploy, 50 functions, fresh account | 7.47 s | 2.70 s | 24 |
| same again, 50 functions | 2.28 s (exit 1) | 2.26 s | 15 |
| one function removed, 50 → 49 | 7.47 s | 2.88 s | 24 |
| ` + "`sam --version`" + ` | 0.225 s | – | – |

Targets (issue 2): an unchanged redeploy makes at most 8 AWS calls and no stack update; a first deploy at most 16;
no fixed sleeps (first poll after 0.25 s, then every 0.5 s, backing off only when throttled); the number of calls does not grow with the number
of functions except where repositories are removed (one ListImages to count and one to empty each removed repository,
plus BatchDeleteImage for those that hold images).
`)
	return b.String()
}

func secs(d time.Duration) string { return fmt.Sprintf("%.2f s", d.Seconds()) }
