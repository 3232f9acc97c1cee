package ui

import (
	"fmt"
	"io"
	"slices"
	"sync"
	"time"
)

// Reporter is where a run's output goes: results for scripts (stack outputs, a packaged
// template) on Out, everything else on Err, coloured and redrawn in place only when Err is a
// terminal. Its methods are the events of a run, rendered in SAM CLI's words.
type Reporter struct {
	Out, Err io.Writer
	Paint    Painter
	// Width is the terminal's width in columns (tables are at least 100 wide).
	Width int
	// Terminal reports that Err is a terminal: progress is redrawn in place there.
	Terminal bool
	// WidthNow reads the terminal's width when lines are redrawn (a resize); Width when nil.
	WidthNow func() int
	// Now is the clock of the live views' times; time.Now when nil.
	Now func() time.Time

	// Lines come from several tasks at once (the companion stack and pushes, the bucket and
	// the change set): each is written whole, and above the live lines being redrawn.
	mu    sync.Mutex
	live  []*liveArea // the redrawn lines, area by area (pushes, stacks), in order begun
	drawn []int       // the columns of each line drawn on the screen
	held  []string    // lines written while a question is on the screen (Hold)
	hold  bool
}

// liveArea is one task's redrawn lines, rendered to fit the width given.
type liveArea struct{ render func(width int) []string }

// NewReporter returns a Reporter over out and err. Colour is on only when err is a terminal,
// NO_COLOR is unset and TERM is not dumb.
func NewReporter(out, err io.Writer, terminal bool, width int, getenv func(string) string) *Reporter {
	colour := terminal && getenv("NO_COLOR") == "" && getenv("TERM") != "dumb"
	return &Reporter{Out: out, Err: err, Paint: Painter{On: colour}, Width: width, Terminal: terminal}
}

// Discard is a Reporter that shows nothing.
func Discard() *Reporter { return &Reporter{Out: io.Discard, Err: io.Discard, Width: 100} }

// Live reports that stacks can be followed in place: Err is a terminal.
func (r *Reporter) Live() bool { return r.Terminal }

// Bold is s in bold, when in colour.
func (r *Reporter) Bold(s string) string { return r.Paint.Bold(s) }

// Note prints a one-line notice of samship's own, indented as SAM CLI indents its notes.
func (r *Reporter) Note(s string) { r.write("\t" + s + "\n") }

func (r *Reporter) errf(format string, a ...any) { r.write(fmt.Sprintf(format, a...)) }

// write prints s on Err, above the live lines when there are some.
func (r *Reporter) write(s string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.hold {
		r.held = append(r.held, s)
		return
	}
	r.eraseLive()
	io.WriteString(r.Err, s)
	r.drawLive()
}

// lines is Err as an io.Writer whose writes go through write (for tables).
func (r *Reporter) lines() io.Writer { return writerFunc(func(b []byte) { r.write(string(b)) }) }

// columns is how many columns s takes on the screen: its runes, colour codes left out.
func columns(s string) int {
	n, esc := 0, false
	for _, c := range s {
		switch {
		case esc:
			esc = c != 'm'
		case c == '\x1b':
			esc = true
		default:
			n++
		}
	}
	return n
}

type writerFunc func([]byte)

func (f writerFunc) Write(b []byte) (int, error) { f(b); return len(b), nil }

// addLive starts redrawing render's lines (fitting the width it is given) under everything
// else written, below the live areas begun before; endLive erases the area's lines and
// redraws them no more.
func (r *Reporter) addLive(render func(width int) []string) *liveArea {
	r.mu.Lock()
	defer r.mu.Unlock()
	a := &liveArea{render: render}
	r.live = append(r.live, a)
	return a
}

func (r *Reporter) endLive(a *liveArea) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.eraseLive()
	r.live = slices.DeleteFunc(r.live, func(x *liveArea) bool { return x == a })
	if !r.hold {
		r.drawLive()
	}
}

func (r *Reporter) width() int {
	w := r.Width
	if r.WidthNow != nil {
		w = r.WidthNow()
	}
	if w < 20 {
		w = 80
	}
	return w
}

// redrawLive draws the live lines again in place.
func (r *Reporter) redrawLive() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.hold {
		return
	}
	r.eraseLive()
	r.drawLive()
}

// Hold keeps what is written (push lines, redraws) off the screen while a question is asked
// there; Release writes it out after the answer, and redraws the live lines below.
func (r *Reporter) Hold() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.eraseLive() // live lines left above the question would stay behind, stale
	r.hold = true
}

// Release ends Hold.
func (r *Reporter) Release() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.hold = false
	for _, s := range r.held {
		io.WriteString(r.Err, s)
	}
	r.held = nil
	r.drawLive()
}

// eraseLive moves up to the first live line and clears from there down. A line drawn
// narrower than the terminal then was may since wrap onto more rows (a resize): each counts
// for the rows it takes at the width now.
func (r *Reporter) eraseLive() {
	if len(r.drawn) == 0 {
		return
	}
	w, rows := r.width(), 0
	for _, cols := range r.drawn {
		rows += max(1, (cols+w-1)/w)
	}
	fmt.Fprintf(r.Err, "\x1b[%dA\x1b[J", rows)
	r.drawn = nil
}

func (r *Reporter) drawLive() {
	w := r.width()
	for _, a := range r.live {
		for _, l := range a.render(w) {
			io.WriteString(r.Err, "\x1b[2K"+l+"\n")
			r.drawn = append(r.drawn, columns(l))
		}
	}
}
