package registry

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Progress follows the bytes each image sends. On a terminal it keeps one line per image
// with bytes done and total, redrawn in place; elsewhere the pusher's log lines suffice.
type Progress struct {
	w        io.Writer
	terminal bool
	mu       sync.Mutex
	lines    []*line
	drawn    int
	last     time.Time
}

type line struct {
	p     *Progress
	name  string
	total int64
	sent  atomic.Int64
	state string
}

// NewProgress returns a Progress drawing to w when terminal is set.
func NewProgress(w io.Writer, terminal bool) *Progress { return &Progress{w: w, terminal: terminal} }

// Sent returns the bytes read for upload so far, over all images.
func (p *Progress) Sent() int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	var n int64
	for _, l := range p.lines {
		n += l.sent.Load()
	}
	return n
}

// track starts a line for an image of manifest m; the bytes its uploads read count as sent
// (mounted and present blobs are never read).
func (p *Progress) track(name string, m *v1.Manifest) *line {
	l := &line{name: name, state: "pushing", p: p, total: m.Config.Size}
	for _, d := range m.Layers {
		l.total += d.Size
	}
	p.mu.Lock()
	p.lines = append(p.lines, l)
	p.mu.Unlock()
	return l
}

func (p *Progress) done(l *line, state string) {
	p.mu.Lock()
	l.state = state
	p.mu.Unlock()
	p.draw(true)
}

// draw redraws every line on a terminal, at most ten times a second unless final.
func (p *Progress) draw(final bool) {
	if !p.terminal {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if !final && time.Since(p.last) < 100*time.Millisecond {
		return
	}
	p.last = time.Now()
	var b strings.Builder
	if p.drawn > 0 {
		fmt.Fprintf(&b, "\x1b[%dA", p.drawn) // back to the first line
	}
	ls := append([]*line{}, p.lines...)
	sort.SliceStable(ls, func(i, j int) bool { return ls[i].name < ls[j].name })
	for _, l := range ls {
		fmt.Fprintf(&b, "\x1b[2K\t%-40s %s / %s  %s\n", l.name, MB(l.sent.Load()), MB(l.total), l.state)
	}
	p.drawn = len(ls)
	io.WriteString(p.w, b.String())
}

// MB renders a byte count in megabytes.
func MB(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/1e6) }

// counting returns r counting what is read from it on the line.
func (l *line) counting(r io.Reader) io.Reader { return &countingReader{r: r, l: l} }

type countingReader struct {
	r io.Reader
	l *line
}

func (c *countingReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.l.sent.Add(int64(n))
	c.l.p.draw(false)
	return n, err
}
