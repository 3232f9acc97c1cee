package cli

import (
	"os"

	"golang.org/x/term"
)

// systemIO describes the real process: colour and width only when stderr is a terminal.
func systemIO() IO {
	io := IO{In: os.Stdin, Out: os.Stdout, Err: os.Stderr, Getenv: os.Getenv, Width: 100}
	fd := int(os.Stderr.Fd())
	if term.IsTerminal(fd) {
		io.ErrIsTerminal = true
		if w, _, err := term.GetSize(fd); err == nil {
			io.Width = w
		}
	}
	return io
}
