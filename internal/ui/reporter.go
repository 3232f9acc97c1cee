package ui

import (
	"fmt"
	"io"
	"os"

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
func (r *Reporter) Note(s string) { fmt.Fprintf(r.Err, "\t%s\n", s) }

func (r *Reporter) errf(format string, a ...any) { fmt.Fprintf(r.Err, format, a...) }
