package ui

import (
	"fmt"
	"io"
	"os"
	"sync"

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

	// Lines come from several tasks at once (the companion stack and pushes, the bucket and
	// the change set): each is written whole, and above the live lines being redrawn.
	mu    sync.Mutex
	live  func() []string // renders the redrawn lines; nil when none
	drawn int             // how many of them are on the screen
	held  []string        // lines written while a question is on the screen (Hold)
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

// setLive starts redrawing render's lines under everything else written; stopLive leaves
// the last drawing on the screen and redraws no more.
func (r *Reporter) setLive(render func() []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.live, r.drawn = render, 0
}

func (r *Reporter) stopLive() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.live, r.drawn = nil, 0
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
	r.hold, r.drawn = true, 0 // the live lines drawn stay where they are, above the question
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

func (r *Reporter) eraseLive() {
	if r.drawn > 0 {
		fmt.Fprintf(r.Err, "\x1b[%dA\x1b[J", r.drawn) // up to the first live line, clear below
		r.drawn = 0
	}
}

func (r *Reporter) drawLive() {
	if r.live == nil {
		return
	}
	ls := r.live()
	for _, l := range ls {
		io.WriteString(r.Err, "\x1b[2K"+l+"\n")
	}
	r.drawn = len(ls)
}
