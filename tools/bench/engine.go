package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/samship/samship/internal/testenv"
)

// The engine scenarios (issue 19): images as `sam build` leaves them in a real Docker engine,
// deployed by samship and pushed by `docker push` (as SAM CLI pushes) to the same registry.
var (
	skipEngine, onlyEngine *bool
	engineRuns             *int
	engineScale            *float64
)

// engineRow is one line of the engine table: the runs of one scenario.
type engineRow struct {
	name    string
	docker  bool  // a docker push: wall time and registry counts only
	largest int64 // the image's largest layer (its tar)
	top     int64 // and its top layer
	runs    []engineRun
}

// enginePlan is one scenario set: an image, its deploys over rounds (each round a fresh
// registry, emulator and cache), and what else to measure in each round.
type enginePlan struct {
	key, label string
	img        *engineImage
	fns        int  // functions using the image
	rounds     int  // rounds, each with a first deploy
	unchanged  int  // unchanged redeploys per round
	changed    bool // then a redeploy after a new top layer
	docker     bool // then docker push of the image, first and again
}

// engineSection measures issue 19's scenarios on a dockerd of its own and returns their
// Markdown section. Image sizes are multiplied by scale (quick looks).
func engineSection(bin string, m *testenv.Moto, dir string, runs int, scale float64) (string, error) {
	e, err := testenv.StartDockerd()
	if err != nil {
		return "", err
	}
	defer e.Stop()
	b := &engineBench{bin: bin, m: m, e: e, work: filepath.Join(dir, "engine")}
	if b.em, err = startEngineMeter(b.scratch("meter"), e.Host); err != nil {
		return "", err
	}
	defer b.em.stop()
	size := func(n float64) int64 { return int64(n * scale) }
	per := func(rounds int) int { return (3 + rounds - 1) / rounds } // ≥ 3 unchanged redeploys in all
	rows := map[string]*engineRow{}
	var order []*engineRow
	var plans []enginePlan
	start := time.Now()
	one := func(p enginePlan) error {
		setStart := time.Now()
		got, err := b.runPlan(p)
		for _, r := range got {
			rows[p.key+"/"+r.name] = r
			r.name = p.label + ": " + r.name
			order = append(order, r)
		}
		plans = append(plans, p)
		fmt.Fprintf(os.Stderr, "bench: engine: %s done in %s\n", p.label, time.Since(setStart).Round(time.Second))
		return err
	}
	// The reference: a 1 MB image, as close to no image work as a deploy gets.
	ref := newEngineImage("bench-1mb:v1", size(1e6), false, 1)
	if err := ref.load(e); err != nil {
		return "", err
	}
	if err := one(enginePlan{key: "1MB", label: "1 MB", img: ref, fns: 1, rounds: runs, unchanged: per(runs)}); err != nil {
		return "", err
	}
	ref.remove(e)
	for _, s := range []struct {
		key, label string
		size       float64
		rounds     int
	}{{"200MB", "200 MB", 200e6, runs}, {"1GB", "1 GB", 1e9, runs}, {"3GB", "3 GB", 3e9, 1}} {
		img := newEngineImage("bench-"+strings.ToLower(s.key)+":v1", size(s.size), false, uint64(len(plans)+2))
		if err := img.load(e); err != nil {
			return "", err
		}
		if err := one(enginePlan{key: s.key, label: s.label, img: img, fns: 1, rounds: s.rounds, unchanged: per(s.rounds), changed: true, docker: true}); err != nil {
			return "", err
		}
		if s.key == "1GB" {
			if err := one(enginePlan{key: "1GBx10", label: "1 GB shared by 10 functions", img: img, fns: 10, rounds: 1, unchanged: 3}); err != nil {
				return "", err
			}
		}
		img.remove(e)
		if s.key == "1GB" {
			text := newEngineImage("bench-1gb-text:v1", size(1e9), true, 9)
			if err := text.load(e); err != nil {
				return "", err
			}
			if err := one(enginePlan{key: "1GBtext", label: "1 GB compressible", img: text, fns: 1, rounds: 1, unchanged: 3, docker: true}); err != nil {
				return "", err
			}
			text.remove(e)
		}
	}
	return renderEngine(order, rows, time.Since(start), scale), nil
}

// runPlan runs one scenario set and returns its rows.
func (b *engineBench) runPlan(p enginePlan) ([]*engineRow, error) {
	tpl, err := b.template(p.img.tag, p.fns)
	if err != nil {
		return nil, err
	}
	first, again := &engineRow{name: "first deploy (fresh repositories)"}, &engineRow{name: "unchanged redeploy"}
	changed := &engineRow{name: fmt.Sprintf("top layer (%s) changed", mb(p.img.top()))}
	pushFirst := &engineRow{name: "`docker push`, first", docker: true}
	pushAgain := &engineRow{name: "`docker push` again, unchanged", docker: true}
	rows := []*engineRow{first, again}
	if p.changed {
		rows = append(rows, changed)
	}
	if p.docker {
		rows = append(rows, pushFirst, pushAgain)
	}
	for _, r := range rows {
		r.largest, r.top = p.img.largest(), p.img.top()
	}
	for i := 0; i < p.rounds; i++ {
		if err := b.round(p, tpl, first, again, changed, pushFirst, pushAgain); err != nil {
			return rows, fmt.Errorf("%s: %w", p.label, err)
		}
	}
	return rows, nil
}

func (b *engineBench) round(p enginePlan, tpl string, first, again, changed, pushFirst, pushAgain *engineRow) error {
	s, err := b.newSet()
	if err != nil {
		return err
	}
	defer s.stop()
	deploy := func(row *engineRow) error {
		r, err := s.deploy(tpl)
		if err != nil {
			return fmt.Errorf("%s: %w", row.name, err)
		}
		row.runs = append(row.runs, r)
		return nil
	}
	if err := deploy(first); err != nil {
		return err
	}
	for i := 0; i < p.unchanged; i++ {
		if err := deploy(again); err != nil {
			return err
		}
	}
	if p.changed {
		if err := p.img.changeTop(b.e); err != nil {
			return err
		}
		if err := deploy(changed); err != nil {
			return err
		}
	}
	if p.docker {
		repo := "docker-push/" + strings.ToLower(p.key)
		for _, row := range []*engineRow{pushFirst, pushAgain} {
			r, err := s.dockerPush(p.img.tag, repo)
			if err != nil {
				return fmt.Errorf("%s: %w", row.name, err)
			}
			row.runs = append(row.runs, r)
		}
	}
	return nil
}

func mb(n int64) string {
	switch {
	case n >= 1e9:
		return fmt.Sprintf("%.2f GB", float64(n)/1e9)
	case n >= 1e6:
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	}
	return fmt.Sprintf("%.1f kB", float64(n)/1e3)
}

func medianOf(ds []time.Duration) time.Duration {
	s := append([]time.Duration{}, ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}
