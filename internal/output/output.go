package output

import (
	"fmt"
	"io"
	"os"
	"time"

	"golang.org/x/term"

	"github.com/samship/samship/internal/build"
	"github.com/samship/samship/internal/cfn"
	"github.com/samship/samship/internal/deploy"
	"github.com/samship/samship/internal/guided"
	"github.com/samship/samship/internal/orphans"
	"github.com/samship/samship/internal/prune"
	"github.com/samship/samship/internal/sync"
	"github.com/samship/samship/internal/teardown"
	"github.com/samship/samship/internal/ui"
)

// Format is how a run is shown: FormatText (the default) or FormatJSON (--output json).
type Format string

const (
	FormatText Format = "text"
	FormatJSON Format = "json"
)

// ParseFormat reads --output's value as SAM CLI's click choice does.
func ParseFormat(s string) (Format, error) {
	switch f := Format(s); f {
	case FormatText, FormatJSON:
		return f, nil
	}
	//lint:ignore ST1005 click's message for a bad option value, as SAM CLI prints it
	return "", fmt.Errorf("Invalid value for '--output': '%s' is not one of 'text', 'json'.", s)
}

// Reporter is what every command reports to, in either form: what each flow hears, and what
// the command line shows itself.
type Reporter interface {
	deploy.Reporter
	guided.Reporter
	teardown.Reporter
	prune.Reporter
	orphans.Reporter
	sync.Reporter
	SyncDone(res *sync.Result)
	SyncQuestion() string
	SyncInfra(stack, why string)
	Watching()
	Round(r sync.Round)
	build.Reporter
	BuildSucceeded(res *build.Result)
	// PollFailed says a look at a stack failed and is tried again.
	PollFailed(err error)
	// Live reports that stacks can be followed in place (a terminal, in text);
	// FollowStack follows one.
	Live() bool
	FollowStack(stack, op string) cfn.Follower
	// Bold is a question's label, bold in colour.
	Bold(s string) string
	Packaged(output, abs string)
	SavedParams(path, section string)
}

// Streams are the process's streams, as a command's output sees them.
type Streams struct {
	Out, Err io.Writer
	// Terminal and Width describe Err; WidthNow reads its width again (a resize).
	Terminal bool
	Width    int
	WidthNow func() int
	Getenv   func(string) string
	// Document: in JSON, the run is one document, its result, written when it ends (delete,
	// prune, orphans); else a stream of lines (deploy, package).
	Document bool
}

// New returns the Reporter of format: JSON lines on Out, or text (results on Out, the rest
// on Err).
func New(format Format, s Streams) Reporter {
	if format == FormatJSON {
		if s.Document {
			return NewDocument(s.Out)
		}
		return NewJSON(s.Out)
	}
	r := ui.NewReporter(s.Out, s.Err, s.Terminal, s.Width, s.Getenv)
	r.WidthNow = s.WidthNow
	return r
}

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

// ShortDuration is a duration as text mode writes it: "1h", "30m", "1h30m", "45s".
func ShortDuration(d time.Duration) string { return ui.ShortDuration(d) }
