// Package prompt asks questions the way click does for SAM CLI: "Question [default]: " on
// the error stream, one answer per line from the input whether or not it is a terminal, an
// empty line taking the default, and end of input or an interrupt aborting. Answers read from
// a pipe are echoed after their question (secrets as an empty line), so logs stay readable.
package prompt

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"
)

// ErrAborted is returned when the input ends, or the run is interrupted, before an answer.
var ErrAborted = errors.New("aborted: no answer (end of input)")

// ErrInterrupted is returned when the run is interrupted at a question.
var ErrInterrupted = errors.New("aborted: interrupted")

// Prompter reads answers from one shared reader for the whole run.
type Prompter struct {
	in    *bufio.Reader
	fd    int // the input's descriptor when it is a terminal, else -1
	out   io.Writer
	lines chan result
	// echo repeats piped answers after their question, so that logs read like a terminal.
	echo bool
	// Label styles the question text (bold on a terminal).
	Label func(string) string
}

type result struct {
	s   string
	err error
}

// New returns a Prompter reading in and writing questions to out. Each question takes a
// context; its end aborts the question being asked.
func New(in io.Reader, out io.Writer) *Prompter {
	p := &Prompter{in: bufio.NewReader(in), fd: -1, out: out, Label: func(s string) string { return s }}
	if f, ok := in.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.fd = int(f.Fd())
	}
	p.echo = p.fd < 0
	return p
}

// line reads one answer line. The read runs aside so that an interrupt can end the wait.
func (p *Prompter) line(ctx context.Context) (string, error) {
	if p.lines == nil {
		p.lines = make(chan result, 1)
	}
	go func() {
		s, err := p.in.ReadString('\n')
		p.lines <- result{s, err}
	}()
	var r result
	select {
	case <-ctx.Done():
		fmt.Fprintln(p.out)
		return "", ErrInterrupted
	case r = <-p.lines:
	}
	if r.err != nil && (r.s == "" || !errors.Is(r.err, io.EOF)) {
		if errors.Is(r.err, io.EOF) {
			fmt.Fprintln(p.out)
			return "", ErrAborted
		}
		return "", fmt.Errorf("read answer: %w", r.err)
	}
	s := strings.TrimRight(r.s, "\r\n")
	if p.echo {
		fmt.Fprintln(p.out, s)
	}
	return s, nil
}

// Confirm asks a yes/no question; an empty answer takes def; anything else is asked again.
func (p *Prompter) Confirm(ctx context.Context, question string, def bool) (bool, error) {
	suffix := " [y/N]: "
	if def {
		suffix = " [Y/n]: "
	}
	for {
		fmt.Fprint(p.out, p.Label(question)+suffix)
		s, err := p.line(ctx)
		if err != nil {
			return false, err
		}
		switch strings.ToLower(strings.TrimSpace(s)) {
		case "":
			return def, nil
		case "y", "yes", "true", "1":
			return true, nil
		case "n", "no", "false", "0":
			return false, nil
		}
		fmt.Fprintln(p.out, "Error: invalid input")
	}
}

// Prompt asks for text; an empty answer takes def, and is asked again when there is none.
func (p *Prompter) Prompt(ctx context.Context, question, def string) (string, error) {
	for {
		if def != "" {
			fmt.Fprintf(p.out, "%s [%s]: ", p.Label(question), def)
		} else {
			fmt.Fprintf(p.out, "%s: ", p.Label(question))
		}
		s, err := p.line(ctx)
		if err != nil {
			return "", err
		}
		if s = strings.TrimSpace(s); s != "" {
			return s, nil
		}
		if def != "" {
			return def, nil
		}
	}
}

// Validated asks until check accepts the answer, printing check's complaint each time.
func (p *Prompter) Validated(ctx context.Context, question, def string, check func(string) error) (string, error) {
	for {
		s, err := p.Prompt(ctx, question, def)
		if err != nil {
			return "", err
		}
		if err := check(s); err != nil {
			fmt.Fprintf(p.out, "Error: %v\n", err)
			continue
		}
		return s, nil
	}
}

// Hidden asks for a secret without echoing it on a terminal; piped input is read as a line.
// An empty answer is allowed (a parameter may be empty).
func (p *Prompter) Hidden(ctx context.Context, question string) (string, error) {
	fmt.Fprintf(p.out, "%s: ", p.Label(question))
	if p.fd < 0 || p.in.Buffered() > 0 {
		echo := p.echo
		p.echo = false
		defer func() { p.echo = echo }()
		s, err := p.line(ctx)
		if err == nil && echo {
			fmt.Fprintln(p.out)
		}
		return s, err
	}
	// An interrupt must not leave the terminal without echo: restore it ourselves, since
	// ReadPassword's own restore does not run when the process exits first.
	state, err := term.GetState(p.fd)
	if err != nil {
		return "", fmt.Errorf("read answer: %w", err)
	}
	done := make(chan result, 1)
	go func() {
		b, err := term.ReadPassword(p.fd)
		done <- result{string(b), err}
	}()
	select {
	case <-ctx.Done():
		_ = term.Restore(p.fd, state)
		fmt.Fprintln(p.out)
		return "", ErrInterrupted
	case r := <-done:
		fmt.Fprintln(p.out)
		if r.err != nil {
			return "", fmt.Errorf("read answer: %w", r.err)
		}
		return r.s, nil
	}
}
