package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/samship/samship/internal/testenv"
)

// latencyScenario is one deploy measured against AWS-like stack times, with the floor the
// best schedule could reach.
type latencyScenario struct {
	name  string
	floor time.Duration
	times []time.Duration
	calls string
	total int
}

// imageFns is a template of n image functions whose images are OCI layouts next to it.
func imageFns(n int, zip bool) string {
	var b strings.Builder
	b.WriteString("AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  FnRole:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument:\n        Version: '2012-10-17'\n        Statement:\n          - Effect: Allow\n            Principal: {Service: lambda.amazonaws.com}\n            Action: sts:AssumeRole\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "  Fn%d:\n    Type: AWS::Lambda::Function\n    Properties:\n      PackageType: Image\n      Code:\n        ImageUri: img%d\n      Role: !GetAtt FnRole.Arn\n", i, i)
	}
	if zip {
		b.WriteString("  Zip:\n    Type: AWS::Lambda::Function\n    Properties:\n      Runtime: python3.12\n      Handler: app.handler\n      Code: src\n      Role: !GetAtt FnRole.Arn\n")
	}
	return b.String()
}

// latencyBench deploys 3 image functions (--resolve-s3 --resolve-image-repos) through a proxy
// that gives moto's stack operations AWS-like times, scaled by scale.
func latencyBench(bin string, m *testenv.Moto, dir string, runs int, scale float64) (string, error) {
	l := testenv.AWSLike.Scaled(scale)
	proxy, err := testenv.StartLatencyProxy(m.URL, l)
	if err != nil {
		return "", err
	}
	defer proxy.Stop()
	reg, err := testenv.StartRegistry()
	if err != nil {
		return "", err
	}
	defer reg.Stop()
	work := filepath.Join(dir, "latency")
	if err := os.MkdirAll(filepath.Join(work, "src"), 0o755); err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(work, "src", "app.py"), []byte("def handler(e, c):\n    return 1\n"), 0o644); err != nil {
		return "", err
	}
	for i := 1; i <= 3; i++ {
		if err := testenv.WriteImage(filepath.Join(work, fmt.Sprintf("img%d", i)), "oci-layout", 4096, 1); err != nil {
			return "", err
		}
	}
	write := func(name, body string) string {
		p := filepath.Join(work, name)
		os.WriteFile(p, []byte(body), 0o644)
		return p
	}
	three, two, zip := write("three.yaml", imageFns(3, false)), write("two.yaml", imageFns(2, false)), write("zip.yaml", imageFns(3, true))
	env := append(testenv.Environ(m), "AWS_ENDPOINT_URL="+proxy.URL, "SAMSHIP_REGISTRY_ENDPOINT="+reg.URL, "SAM_CLI_POLL_DELAY=")
	deploy := func(tpl string) (time.Duration, string, int, error) {
		cmd := exec.Command(bin, "deploy", "-t", tpl, "--stack-name", "latency", "--resolve-image-repos", "--resolve-s3",
			"--capabilities", "CAPABILITY_IAM", "--no-fail-on-empty-changeset", "--debug")
		cmd.Dir, cmd.Env = work, env
		start := time.Now()
		out, err := cmd.CombinedOutput()
		d := time.Since(start)
		if err != nil {
			return 0, "", 0, fmt.Errorf("samship deploy -t %s: %w\n%s", filepath.Base(tpl), err, tail(string(out)))
		}
		calls, total := parseCalls(string(out))
		return d, calls, total, nil
	}
	scen := []*latencyScenario{
		{name: "first deploy, 3 image functions, fresh account", floor: l.Floor(false, true, false, true)},
		{name: "same again, nothing changed", floor: l.Floor(false, false, false, false)},
		{name: "one image changed", floor: l.Floor(false, false, false, true)},
		{name: "one function removed, 3 → 2", floor: l.Floor(false, false, true, true)},
		{name: "first deploy with a zip function (bucket needed), fresh account", floor: l.Floor(true, true, false, true)},
	}
	for i := 0; i < runs; i++ {
		if err := m.Reset(); err != nil {
			return "", err
		}
		proxy.Reset()
		for j, step := range []struct {
			tpl    string
			before func() error
		}{
			{tpl: three}, {tpl: three},
			{tpl: three, before: func() error {
				return testenv.WriteImage(filepath.Join(work, "img1"), "oci-layout", 4096, 1)
			}},
			{tpl: two},
			{tpl: zip, before: func() error {
				if err := m.Reset(); err != nil {
					return err
				}
				proxy.Reset()
				return nil
			}},
		} {
			if step.before != nil {
				if err := step.before(); err != nil {
					return "", err
				}
			}
			d, calls, total, err := deploy(step.tpl)
			if err != nil {
				return "", fmt.Errorf("%s: %w", scen[j].name, err)
			}
			scen[j].times = append(scen[j].times, d)
			scen[j].calls, scen[j].total = calls, total
		}
	}
	return renderLatency(scen, l, runs, scale), nil
}

func renderLatency(scen []*latencyScenario, l testenv.Latency, runs int, scale float64) string {
	var b strings.Builder
	fmt.Fprintf(&b, "\n## AWS-like stack times (issue 11)\n\nmoto behind `testenv.LatencyProxy`, which makes each stack operation look in progress for as long as it takes on AWS:\n"+
		"change set %s, companion stack %s, managed bucket stack %s, application stack %s", secs(l.ChangeSet), secs(l.Companion), secs(l.Bucket), secs(l.Stack))
	if scale != 1 {
		fmt.Fprintf(&b, " (issue 11's times × %.2f)", scale)
	}
	fmt.Fprintf(&b, ". Three image functions (OCI layouts pushed to docker-registry), `samship deploy --resolve-s3 --resolve-image-repos`; medians of %d runs. "+
		"The floor is what CloudFormation itself takes on the best schedule; the overhead is samship's time above it.\n\n", runs)
	b.WriteString("| scenario | floor | samship median | overhead | min–max | AWS calls | calls by operation |\n|---|---|---|---|---|---|---|\n")
	for _, s := range scen {
		r := &result{times: s.times}
		med := r.median()
		lo, hi := minMax(s.times)
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s–%s | %d | %s |\n", s.name, secs(s.floor), secs(med), secs(med-s.floor), secs(lo), secs(hi), s.total, s.calls)
	}
	b.WriteString("\nTargets (a benchmark, never a timed test): overhead above the floor ≤ 1.5 s in every scenario. Issue 11 measured SAM CLI 1.164 at 70.2 s (first deploy), 19.2 s (unchanged) and 39.8 s (one function removed) with these times.\n")
	return b.String()
}

func minMax(ds []time.Duration) (time.Duration, time.Duration) {
	lo, hi := ds[0], ds[0]
	for _, d := range ds {
		lo, hi = min(lo, d), max(hi, d)
	}
	return lo, hi
}
