package ui

import (
	"fmt"
	"io"
	"os"
	"sync"
	"unicode/utf8"

	"golang.org/x/term"
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

	// Lines come from several tasks at once (the companion stack and pushes, the bucket and
	// the change set): each is written whole, and above the live lines being redrawn.
	mu    sync.Mutex
	live  func(width int) []string // renders the redrawn lines; nil when none
	drawn []int                    // the columns of each of them on the screen
	held  []string                 // lines written while a question is on the screen (Hold)
	hold  bool
}

// NewReporter returns a Reporter over out and err. Colour is on only when err is a terminal,
// NO_COLOR is unset and TERM is not dumb.
func NewReporter(out, err io.Writer, terminal bool, width int, getenv func(string) string) *Reporter {
	colour := terminal && getenv("NO_COLOR") == "" && getenv("TERM") != "dumb"
	return &Reporter{Out: out, Err: err, Paint: Painter{On: colour}, Width: width, Terminal: terminal}
}

// Discard is a Reporter that shows nothing.
func Discard() *Reporter { return &Reporter{Out: io.Discard, Err: io.Discard, Width: 100} }

// TerminalSize reports whether f is a terminal and its width (100 when it is not, or the
// width cannot be read).
func TerminalSize(f *os.File) (bool, int) {
	fd := int(f.Fd())
	if !term.IsTerminal(fd) {
		return false, 100
	}
	if w, _, err := term.GetSize(fd); err == nil {
		return true, w
	}
	return true, 100
}

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

type writerFunc func([]byte)

func (f writerFunc) Write(b []byte) (int, error) { f(b); return len(b), nil }

// setLive starts redrawing render's lines (fitting the width it is given) under everything
// else written; endLive erases them and redraws no more.
func (r *Reporter) setLive(render func(width int) []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.live, r.drawn = render, nil
}

func (r *Reporter) endLive() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.eraseLive()
	r.live = nil
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
	r.hold, r.drawn = true, nil // the live lines drawn stay where they are, above the question
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
	if r.live == nil {
		return
	}
	for _, l := range r.live(r.width()) {
		io.WriteString(r.Err, "\x1b[2K"+l+"\n")
		r.drawn = append(r.drawn, utf8.RuneCountInString(l))
	}
}
