package ui

import (
	"fmt"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/samship/samship/internal/registry"
)

// Pushes shows the images of a run being pushed (a registry.Reporter). On a terminal it keeps
// one line per image with bytes done and total, redrawn in place, and lists the results at
// the end; elsewhere (or with --no-progressbar) each image gets a log line when it is done.
type Pushes struct {
	r      *Reporter
	redraw bool
	start  time.Time
	now    func() time.Time

	mu      sync.Mutex
	uploads []*upload
	last    time.Time
	order   []string          // the functions, in the order results are listed
	results map[string]string // by function: the line shown at the end on a terminal
	pushed  int
	total   int
}

type upload struct {
	p     *Pushes
	repo  string
	total int64
	sent  atomic.Int64
	state string
}

// Pushes starts showing the push of the functions' images, atOnce at a time.
func (r *Reporter) Pushes(functions []string, atOnce int, noProgressBar bool, now func() time.Time) *Pushes {
	n := len(functions)
	r.errf("\n\tPushing the images of %d %s (%d at a time)\n", n, Plural(n, "function", "functions"), atOnce)
	p := &Pushes{r: r, redraw: r.Terminal && !noProgressBar, start: now(), now: now, order: functions, results: map[string]string{}}
	if p.redraw {
		r.setLive(p.render)
	}
	return p
}

// Sending implements registry.Reporter.
func (p *Pushes) Sending(repo string, total int64) registry.Upload {
	u := &upload{p: p, repo: repo, total: total, state: "pushing"}
	p.mu.Lock()
	p.uploads = append(p.uploads, u)
	p.mu.Unlock()
	return u
}

// Result implements registry.Reporter.
func (p *Pushes) Result(function, source, ref string, pushed bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.total++
	if pushed {
		p.pushed++
	}
	if p.redraw { // listed under the redrawn lines at the end
		verb := "Already there:"
		if pushed {
			verb = "Pushed"
		}
		p.results[function] = fmt.Sprintf("\t%s %s at %s\n", verb, function, ref)
		return
	}
	if pushed {
		p.r.errf("\tPushed %s (%s) to %s\n", function, source, ref)
	} else {
		p.r.errf("\tAlready there: %s (%s) at %s\n", function, source, ref)
	}
}

// sent returns the bytes read for upload so far, over all images.
func (p *Pushes) sent() int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	var n int64
	for _, u := range p.uploads {
		n += u.sent.Load()
	}
	return n
}

// Done shows what the run pushed: the results (on a terminal) and the totals.
func (p *Pushes) Done() {
	if p.redraw {
		p.r.redrawLive()
		p.r.stopLive()
	}
	sent := p.sent()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, fn := range p.order {
		p.r.errf("%s", p.results[fn])
	}
	p.r.errf("\tImages: %d pushed, %d already there, %s sent (%.2f s)\n", p.pushed, p.total-p.pushed, MB(sent), p.now().Sub(p.start).Seconds())
}

// Stop ends the live lines of a push that failed, leaving them as they last were.
func (p *Pushes) Stop() {
	if p.redraw {
		p.r.redrawLive()
		p.r.stopLive()
	}
}

// Add implements registry.Upload.
func (u *upload) Add(n int64) {
	u.sent.Add(n)
	u.p.draw(false)
}

// Done implements registry.Upload.
func (u *upload) Done(failed bool) {
	u.p.mu.Lock()
	u.state = "pushed"
	if failed {
		u.state = "failed"
	}
	u.p.mu.Unlock()
	u.p.draw(true)
}

// draw redraws every line on a terminal, at most ten times a second unless final.
func (p *Pushes) draw(final bool) {
	if !p.redraw {
		return
	}
	p.mu.Lock()
	if !final && time.Since(p.last) < 100*time.Millisecond {
		p.mu.Unlock()
		return
	}
	p.last = time.Now()
	p.mu.Unlock()
	p.r.redrawLive()
}

// render is the live lines: one per image, by repository.
func (p *Pushes) render() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	us := append([]*upload{}, p.uploads...)
	sort.SliceStable(us, func(i, j int) bool { return us[i].repo < us[j].repo })
	var out []string
	for _, u := range us {
		out = append(out, fmt.Sprintf("\t%-40s %s / %s  %s", u.repo, MB(u.sent.Load()), MB(u.total), u.state))
	}
	return out
}

// MB renders a byte count in megabytes.
func MB(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/1e6) }
