package main

import (
	"fmt"
	"runtime"
	"strings"
	"time"
)

func (r *engineRow) walls() []time.Duration {
	var out []time.Duration
	for _, x := range r.runs {
		out = append(out, x.wall)
	}
	return out
}

func (r *engineRow) wall() time.Duration { return medianOf(r.walls()) }

func (r *engineRow) last() engineRun { return r.runs[len(r.runs)-1] }

func (r *engineRow) cpu() time.Duration {
	var out []time.Duration
	for _, x := range r.runs {
		out = append(out, x.cpu)
	}
	return medianOf(out)
}

// peak returns the largest of f over the runs.
func (r *engineRow) peak(f func(engineRun) int64) int64 {
	var n int64
	for _, x := range r.runs {
		n = max(n, f(x))
	}
	return n
}

// exported tells whether any run exported the image from the engine (docker save).
func (r *engineRow) exported() bool {
	for _, x := range r.runs {
		if strings.Contains(x.engineCalls, "GET get") {
			return true
		}
	}
	return false
}

func renderEngine(order []*engineRow, rows map[string]*engineRow, took time.Duration, scale float64) string {
	var b strings.Builder
	fmt.Fprintf(&b, "\n## Engine images (issue 19)\n\nImages as `sam build` leaves them: in Debian's dockerd (`testenv.StartDockerd`: private socket, vfs storage, no network),\n"+
		"loaded from generated docker archives of four layers of 85, 10, 4 and 1 %% of the size (a big base, the top one small),\n"+
		"random bytes (incompressible) unless marked compressible (JSON log lines, about 6× smaller gzipped). `samship deploy\n"+
		"--resolve-image-repos` of one function (unless said) with DOCKER_HOST at the engine through a counting proxy and\n"+
		"SAMSHIP_REGISTRY_ENDPOINT at docker-registry fronted as ECR (`testenv.ECRFront`) behind a counting proxy; moto for the AWS side.\n"+
		"Each round: the emulator reset, a fresh registry and a fresh XDG_CACHE_HOME kept across the round's deploys (first →\n"+
		"unchanged → top layer changed, rebuilt by loading the image again with a new top layer on the same base); each run a\n"+
		"fresh TMPDIR. `docker push` rows: the same image from the same dockerd to the same registry (another repository of\n"+
		"it), as SAM CLI pushes; its first push is of the image after the top layer changed, in the same round.\n"+
		"Wall time and CPU (user+sys of the samship process): medians of the runs; peak RSS (VmHWM) and peak temp (TMPDIR\n"+
		"sampled every 20 ms): the largest of the runs; the cache size after, bytes and calls: the last run. Read from the\n"+
		"engine: bytes the engine sent samship (calls by endpoint). The whole group took %s on %s/%s, %d CPUs.\n",
		took.Round(time.Second), runtime.GOOS, runtime.GOARCH, runtime.NumCPU())
	if scale != 1 {
		fmt.Fprintf(&b, "Image sizes × %.3f (a quick look: the labels name the full sizes).\n", scale)
	}
	b.WriteString("\n| scenario | runs | wall: median (min–max) | CPU | peak RSS | peak temp | cache after | read from the engine (calls) | sent to the registry | registry requests (uploads) |\n|---|---|---|---|---|---|---|---|---|---|\n")
	for _, r := range order {
		if len(r.runs) == 0 {
			continue
		}
		lo, hi := minMax(r.walls())
		wall := fmt.Sprintf("%s (%s–%s)", secs(r.wall()), secs(lo), secs(hi))
		if len(r.runs) == 1 {
			wall = secs(r.wall())
		}
		l := r.last()
		if r.docker {
			fmt.Fprintf(&b, "| %s | %d | %s | – | – | – | – | – | %s | %d (%d) |\n", r.name, len(r.runs), wall, mb(l.sent), l.requests, l.uploads)
			continue
		}
		fmt.Fprintf(&b, "| %s | %d | %s | %s | %s | %s | %s | %s (%s) | %s | %d (%d) |\n", r.name, len(r.runs), wall, secs(r.cpu()),
			mb(r.peak(func(x engineRun) int64 { return x.rss })), mb(r.peak(func(x engineRun) int64 { return x.temp })),
			mb(l.cache), mb(l.engineRead), l.engineCalls, mb(l.sent), l.requests, l.uploads)
	}
	b.WriteString(engineTargets(rows))
	return b.String()
}

// engineTargets checks issue 19's targets against the rows, by key ("1GB/unchanged redeploy").
func engineTargets(rows map[string]*engineRow) string {
	var b strings.Builder
	row := func(key string) *engineRow {
		if r := rows[key]; r != nil && len(r.runs) > 0 {
			return r
		}
		return nil
	}
	verdict := func(ok bool) string {
		if ok {
			return "met"
		}
		return "**not met**"
	}
	sizes := []struct{ key, label string }{{"200MB", "200 MB"}, {"1GB", "1 GB"}, {"1GBtext", "1 GB compressible"}, {"3GB", "3 GB"}}
	b.WriteString("\nTargets (issue 19), checked against the table:\n\n")
	if ref := row("1MB/unchanged redeploy"); ref != nil {
		fmt.Fprintf(&b, "- Unchanged redeploy within 0.2 s of the same redeploy of a 1 MB image (%s), reading nothing from the engine beyond metadata:", secs(ref.wall()))
		for _, s := range sizes {
			if r := row(s.key + "/unchanged redeploy"); r != nil {
				d := r.wall() - ref.wall()
				fmt.Fprintf(&b, " %s %+.2f s, read %s%s (%s);", s.label, d.Seconds(), mb(r.last().engineRead), map[bool]string{true: " with an image export", false: ""}[r.exported()],
					verdict(d <= 200*time.Millisecond && !r.exported()))
			}
		}
		b.WriteString("\n")
	}
	b.WriteString("- One top layer changed, work proportional to that layer plus what the engine needs to export it (taken as: samship compresses and sends at most twice the layer; the engine's export, the whole image in a classic image store, which has no call to export one layer, is shown):")
	for _, s := range sizes {
		for key, r := range rows {
			if strings.HasPrefix(key, s.key+"/top layer") && len(r.runs) > 0 {
				l := r.last()
				fmt.Fprintf(&b, " %s (top layer %s): %s, %s CPU, compressed %s, sent %s, the engine exported %s (%s);", s.label, mb(r.top), secs(r.wall()), secs(l.cpu), mb(l.compressed), mb(l.sent), mb(l.engineRead),
					verdict(l.compressed <= 2*r.top && l.sent <= 2*r.top))
			}
		}
	}
	b.WriteString("\n- First deploy ≤ `docker push` at every size (samship's whole deploy, stacks included, against the push alone):")
	for _, s := range sizes {
		f, d := row(s.key+"/first deploy (fresh repositories)"), row(s.key+"/`docker push`, first")
		if f != nil && d != nil {
			fmt.Fprintf(&b, " %s %s vs %s, %.2f× (%s);", s.label, secs(f.wall()), secs(d.wall()), f.wall().Seconds()/d.wall().Seconds(), verdict(f.wall() <= d.wall()))
		}
	}
	b.WriteString("\n")
	for _, kind := range []string{"first deploy (fresh repositories)", "unchanged redeploy"} {
		one, ten := row("1GB/"+kind), row("1GBx10/"+kind)
		if one != nil && ten != nil {
			ratio := ten.wall().Seconds() / one.wall().Seconds()
			fmt.Fprintf(&b, "- 10 functions sharing a 1 GB image ≤ 1.1× one, %s: %s vs %s, %.2f× (%s)\n", kind, secs(ten.wall()), secs(one.wall()), ratio, verdict(ratio <= 1.1))
		}
	}
	b.WriteString("- Temp space ≤ the largest layer (the peak of any run of the size; what is kept is a layer compressed, and gzip frames incompressible bytes in stored blocks of 5 bytes per 64 KiB, so up to 0.01 % more is the same layer):")
	for _, s := range sizes {
		var peak, largest int64
		for key, r := range rows {
			if strings.HasPrefix(key, s.key+"/") && !r.docker {
				peak, largest = max(peak, r.peak(func(x engineRun) int64 { return x.temp })), r.largest
			}
		}
		if largest > 0 {
			fmt.Fprintf(&b, " %s %s vs %s (%s);", s.label, mb(peak), mb(largest), verdict(peak <= largest+largest/10000+64<<10))
		}
	}
	b.WriteString("\n")
	return b.String()
}
