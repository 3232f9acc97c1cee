package ui

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/samship/samship/internal/images"
	"github.com/samship/samship/internal/registry"
)

// Pushes shows the images of a run being pushed (a registry.Reporter). Each image gets its
// result line as soon as it is in place ("Already there" at once, "Pushed" when its upload
// ends). On a terminal the images still uploading are shown below those lines, one each,
// redrawn in place with bytes, percent, rate and time left, each line cut to the terminal's
// width; nothing of them stays behind. With --no-progressbar, or when stderr is not a
// terminal, there are only the result lines.
type Pushes struct {
	r      *Reporter
	redraw bool
	area   *liveArea
	start  time.Time
	now    func() time.Time

	mu      sync.Mutex
	uploads []*upload // in flight
	last    time.Time
	sentAll int64 // bytes of the uploads that ended
	pushed  int
	total   int
}

type upload struct {
	p       *Pushes
	repo    string // the repository, or what is read from an engine
	reading bool   // a read from an engine, not an upload
	// compressed counts the bytes of a read's layers that were compressed.
	compressed atomic.Int64
	total      int64
	sent       atomic.Int64
	started    time.Time
}

// Pushes starts showing the push of the functions' images, atOnce at a time.
func (r *Reporter) Pushes(functions []string, atOnce int, noProgressBar bool, now func() time.Time) images.Pushes {
	n := len(functions)
	r.errf("\n\tPushing the images of %d %s (%d at a time)\n", n, Plural(n, "function", "functions"), atOnce)
	p := &Pushes{r: r, redraw: r.Terminal && !noProgressBar, start: now(), now: now}
	if p.redraw {
		p.area = r.addLive(p.render)
	}
	return p
}

// Sending implements registry.Reporter.
func (p *Pushes) Sending(repo string, total int64) registry.Upload {
	u := &upload{p: p, repo: repo, total: total, started: p.now()}
	p.mu.Lock()
	p.uploads = append(p.uploads, u)
	p.mu.Unlock()
	return u
}

// Reading implements registry.Reporter: a read from an engine gets a live line like an
// upload's on a terminal, and a line with its size and time when it ends.
func (p *Pushes) Reading(refs []string, total int64) registry.Read {
	u := &upload{p: p, repo: "reading " + strings.Join(refs, ", "), reading: true, total: total, started: p.now()}
	p.mu.Lock()
	p.uploads = append(p.uploads, u)
	p.mu.Unlock()
	return u
}

// Result implements registry.Reporter: the image's line, at once.
func (p *Pushes) Result(function, source, ref, _ string, pushed bool) {
	p.mu.Lock()
	p.total++
	if pushed {
		p.pushed++
	}
	p.mu.Unlock()
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
	n := p.sentAll
	for _, u := range p.uploads {
		if !u.reading {
			n += u.sent.Load()
		}
	}
	return n
}

// Done ends the live lines and shows the totals.
func (p *Pushes) Done() {
	p.Stop()
	p.mu.Lock()
	pushed, total := p.pushed, p.total
	p.mu.Unlock()
	p.r.errf("\tImages: %d pushed, %d already there, %s sent (%.2f s)\n", pushed, total-pushed, MB(p.sent()), p.now().Sub(p.start).Seconds())
}

// Stop ends the live lines (of a push that failed, too): they are erased.
func (p *Pushes) Stop() {
	if p.redraw {
		p.r.endLive(p.area)
	}
}

// Compressed implements registry.Read.
func (u *upload) Compressed(n int64) { u.compressed.Add(n) }

// Add implements registry.Upload.
func (u *upload) Add(n int64) {
	u.sent.Add(n)
	u.p.draw(false)
}

// Done implements registry.Upload: the image's line leaves the live lines.
func (u *upload) Done(failed bool) {
	p := u.p
	p.mu.Lock()
	for i, x := range p.uploads {
		if x == u {
			p.uploads = append(p.uploads[:i:i], p.uploads[i+1:]...)
			if !u.reading {
				p.sentAll += u.sent.Load()
			}
			break
		}
	}
	p.mu.Unlock()
	p.draw(true)
	if u.reading && !failed {
		p.r.errf("\tRead %s from the engine: %s in %.1f s, %s of new layers compressed\n", strings.TrimPrefix(u.repo, "reading "), MB(u.sent.Load()), p.now().Sub(u.started).Seconds(), MB(u.compressed.Load()))
	}
}

// draw redraws the live lines on a terminal, at most ten times a second unless final.
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

// render is the live lines, one per image uploading, each fitting width columns.
func (p *Pushes) render(width int) []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	var out []string
	for _, u := range p.uploads {
		out = append(out, u.line(now, width))
	}
	return out
}

// line is "  <repository>  12.3/45.6 MB   27%  8.1 MB/s  4s left", fitting width-1 columns:
// the repository is shortened in the middle, and on a narrow terminal the time left, then the
// rate, then the percentage give way to keep at least 12 columns of it.
func (u *upload) line(now time.Time, width int) string {
	sent, total := u.sent.Load(), u.total
	parts := []string{fmt.Sprintf("  %s/%s", mbNum(sent), MB(total)), fmt.Sprintf("  %3d%%", percent(sent, total))}
	if el := now.Sub(u.started).Seconds(); el > 0.2 && sent > 0 {
		rate := float64(sent) / el
		parts = append(parts, fmt.Sprintf("  %s/s", MB(int64(rate))))
		if total > sent {
			left := time.Duration(float64(total-sent) / rate * float64(time.Second))
			parts = append(parts, fmt.Sprintf("  %s left", left.Round(time.Second)))
		}
	}
	room := func() int { return width - 1 - 2 - utf8.RuneCountInString(strings.Join(parts, "")) }
	for len(parts) > 1 && room() < 12 {
		parts = parts[:len(parts)-1]
	}
	return "  " + Shorten(u.repo, room()) + strings.Join(parts, "")
}

func percent(sent, total int64) int {
	if total <= 0 {
		return 100
	}
	return int(min(100, sent*100/total))
}

// Shorten cuts s to at most n columns by replacing its middle with "…".
func Shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	if n < 2 {
		return string(r[:max(n, 0)])
	}
	head := (n - 1) / 2
	tail := n - 1 - head
	return string(r[:head]) + "…" + string(r[len(r)-tail:])
}

// MB renders a byte count in megabytes.
func MB(n int64) string { return mbNum(n) + " MB" }

func mbNum(n int64) string { return fmt.Sprintf("%.1f", float64(n)/1e6) }
