// Package prompt asks questions the way click does for SAM CLI: "Question [Y/n]: " on the
// error stream, one answer per line from the input whether or not it is a terminal, an empty
// line taking the default, and end of input aborting.
package prompt

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
)

// ErrAborted is returned when the input ends before an answer.
var ErrAborted = errors.New("aborted: no answer (end of input)")

// Prompter reads answers from one shared reader for the whole run.
type Prompter struct {
	in  *bufio.Reader
	out io.Writer
	// Label styles the question text (bold on a terminal).
	Label func(string) string
}

// New returns a Prompter reading in and writing questions to out.
func New(in io.Reader, out io.Writer) *Prompter {
	return &Prompter{in: bufio.NewReader(in), out: out, Label: func(s string) string { return s }}
}

func (p *Prompter) line() (string, error) {
	s, err := p.in.ReadString('\n')
	if err != nil && (s == "" || !errors.Is(err, io.EOF)) {
		if errors.Is(err, io.EOF) {
			fmt.Fprintln(p.out)
			return "", ErrAborted
		}
		return "", fmt.Errorf("read answer: %w", err)
	}
	return strings.TrimRight(s, "\r\n"), nil
}

// Confirm asks a yes/no question; an empty answer takes def; anything else is asked again.
func (p *Prompter) Confirm(question string, def bool) (bool, error) {
	suffix := " [y/N]: "
	if def {
		suffix = " [Y/n]: "
	}
	for {
		fmt.Fprint(p.out, p.Label(question)+suffix)
		s, err := p.line()
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
