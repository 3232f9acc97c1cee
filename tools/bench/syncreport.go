package main

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// syncSlack is the allowance above push + Lambda's update for an edit to serve.
const syncSlack = time.Second

// renderSync writes the `## samship sync` section.
func renderSync(speeds []*syncSpeed, runs int, took time.Duration) string {
	var b strings.Builder
	fmt.Fprintf(&b, "\n## samship sync\n\n`samship sync --code --no-prompts --debug` of a deployed stack (built by `samship build`, deployed by `samship deploy`), "+
		"%d rounds per app: an edit of `app.py` (edit → the new code serving: the sync returns once Lambda reports every update Successful), "+
		"then a save of the same bytes (unchanged). Apps: one image function; 10 functions built from one context (one image); the same two with "+
		"`AutoPublishAlias: live` on all (a version published and the alias moved per function), each 10-function app measured against its one-function app. The Dockerfile is `FROM public.ecr.aws/lambda/python:3.12` "+
		"(a stand-in base with an %d MB layer, from a mirror registry), `COPY app.py`, `CMD`; no engine. Each speed runs on a fresh moto, "+
		"with docker-registry fronted as its ECR behind a counting proxy. \"AWS-like\" is moto with `testenv.LambdaUpdateTime`: every UpdateFunctionCode "+
		"stays LastUpdateStatus InProgress that long (and refuses changes meanwhile), as an image function's update does on AWS. "+
		"Wall time is process start to exit; push is the sync's own \"Images: … (N s)\"; target is the issue's push + Lambda's update + 1 s, per round. "+
		"Writes are UpdateFunctionCode, PublishVersion, UpdateAlias, CreateAlias and PutImage calls (max over the rounds); registry writes are blob "+
		"uploads and manifest puts seen by the proxy. The whole section took %s.\n\n", runs, syncFiller>>20, secs(took))
	b.WriteString("There is no SAM CLI on this machine (and `sam sync --code` of image functions needs Docker to build and push), so there is no `sam sync` column.\n")
	for _, s := range speeds {
		fmt.Fprintf(&b, "\n### %s\n\n", s.label)
		b.WriteString("| scenario | median | min–max | push (median) | target (median) | rounds within target | AWS calls | writes | registry writes | calls by operation |\n|---|---|---|---|---|---|---|---|---|---|\n")
		for _, a := range syncApps {
			rs := s.edit[a.key]
			met := 0
			var targets []time.Duration
			for _, r := range rs {
				t := r.push + s.update + syncSlack
				targets = append(targets, t)
				if r.wall <= t {
					met++
				}
			}
			fmt.Fprintf(&b, "| edit → serving, %s | %s | %s | %s | %s | %d/%d | %d | %d | %d | %s |\n", a.label, secs(medianWall(rs)), spread(rs),
				secs(medianOf(pick(rs, func(r syncRun) time.Duration { return r.push }))), secs(medianOf(targets)), met, len(rs),
				rs[len(rs)-1].total, maxOf(rs, func(r syncRun) int { return r.writes }), maxOf(rs, func(r syncRun) int { return r.regPuts }), rs[len(rs)-1].calls)
		}
		for _, a := range syncApps {
			rs := s.same[a.key]
			fmt.Fprintf(&b, "| unchanged save, %s | %s | %s | – | 0 writes | %d/%d | %d | %d | %d | %s |\n", a.label, secs(medianWall(rs)), spread(rs),
				countOf(rs, func(r syncRun) bool { return r.writes == 0 && r.regPuts == 0 }), len(rs),
				rs[len(rs)-1].total, maxOf(rs, func(r syncRun) int { return r.writes }), maxOf(rs, func(r syncRun) int { return r.regPuts }), rs[len(rs)-1].calls)
		}
		for _, a := range syncApps {
			if a.per == "" {
				continue
			}
			ratio := medianWall(s.edit[a.key]).Seconds() / medianWall(s.edit[a.per]).Seconds()
			verdict := "met"
			if ratio > 1.1 {
				verdict = "not met"
			}
			fmt.Fprintf(&b, "\n%s ÷ %s (medians): %.3f× (target ≤ 1.1×: %s).", a.label, label(a.per), ratio, verdict)
		}
		if len(s.watched) > 0 {
			seen := medianOf(pick(s.watched, func(w watchRun) time.Duration { return w.seen }))
			said := medianOf(pick(s.watched, func(w watchRun) time.Duration { return w.said }))
			lo, hi := minMax(pick(s.watched, func(w watchRun) time.Duration { return w.seen }))
			fmt.Fprintf(&b, "\n`--watch`, one function, %d saves: save → \"serving … after the save\" line %s median (%s–%s) as the bench saw it, %s as samship reports it "+
				"(the watcher polls every 300 ms).", len(s.watched), secs(seen), secs(lo), secs(hi), secs(said))
		}
		r := s.edit["one"][len(s.edit["one"])-1]
		fmt.Fprintf(&b, "\nWhere an edit's time goes (one function, last round): build %s, push %s, serving %s after the sync began, wall %s; "+
			"time in AWS calls (summed, calls run in parallel): %s.\n", secs(r.build), secs(r.push), secs(r.serving), secs(r.wall), opTimes(r.opMs))
	}
	said, counted := 0, 0
	for _, s := range speeds {
		for _, rs := range [2]map[string][]syncRun{s.edit, s.same} {
			for _, runs := range rs {
				for _, r := range runs {
					said, counted = said+r.said, counted+r.total
				}
			}
		}
	}
	if said != counted {
		fmt.Fprintf(&b, "\nThe calls are counted from `--debug`'s per-call lines (\"aws call OP N ms\"): samship sync's own \"aws calls:\" summary counted %d of the %d calls "+
			"those lines show over all the syncs here, because `newSyncer` connects twice (`c.services`, then `c.connect`, which makes a second SDK client set and "+
			"replaces the counter) and the sync's Lambda and CloudFormation calls go through the first set.\n", said, counted)
	}
	b.WriteString("\nReading the AWS-like rows: `lambda.SetImage` polls GetFunctionConfiguration 0.1 and 0.3 s after UpdateFunctionCode, then every 250 ms " +
		"for its first 30 s (then once a second), so an update of 3 s is seen done within 250 ms of its end. A 10-function push sends the image's manifest to each function's " +
		"own repository (`--resolve-image-repos`: one repository per function), which is what its push phase adds over one function's; with AutoPublishAlias, " +
		"PublishVersion and UpdateAlias follow each function's update, after its last poll. What the 10 functions add beyond that push is moto's: its one Python " +
		"process answers the 10 parallel UpdateFunctionCode (and PublishVersion, UpdateAlias) calls and their polls one at a time, where Lambda answers them at once.\n")
	return b.String()
}

func label(key string) string {
	for _, a := range syncApps {
		if a.key == key {
			return a.label
		}
	}
	return key
}

func medianWall(rs []syncRun) time.Duration {
	return medianOf(pick(rs, func(r syncRun) time.Duration { return r.wall }))
}

func spread(rs []syncRun) string {
	lo, hi := minMax(pick(rs, func(r syncRun) time.Duration { return r.wall }))
	return secs(lo) + "–" + secs(hi)
}

func pick[T any](xs []T, f func(T) time.Duration) []time.Duration {
	out := make([]time.Duration, len(xs))
	for i, x := range xs {
		out[i] = f(x)
	}
	return out
}

func maxOf(rs []syncRun, f func(syncRun) int) int {
	m := 0
	for _, r := range rs {
		m = max(m, f(r))
	}
	return m
}

func countOf(rs []syncRun, f func(syncRun) bool) int {
	n := 0
	for _, r := range rs {
		if f(r) {
			n++
		}
	}
	return n
}

// opTimes lists the milliseconds spent in each operation, longest first.
func opTimes(ms map[string]int) string {
	ops := make([]string, 0, len(ms))
	for op := range ms {
		ops = append(ops, op)
	}
	sort.Slice(ops, func(i, j int) bool { return ms[ops[i]] > ms[ops[j]] || ms[ops[i]] == ms[ops[j]] && ops[i] < ops[j] })
	parts := make([]string, len(ops))
	for i, op := range ops {
		parts[i] = fmt.Sprintf("%s %d ms", op, ms[op])
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}
