// Package dockerfile reads Dockerfiles the way BuildKit does, for building images without an
// engine: it parses a Dockerfile into stages of typed instructions (with BuildKit's own parser,
// so line numbers, continuations, the escape directive and heredocs behave as in Docker),
// expands variables with BuildKit's shell lexer, opens a build context with its .dockerignore,
// and resolves COPY/ADD sources in a filesystem to the entries to write. Whatever an engine is
// needed for (RUN --mount, ADD of a URL, heredocs…) is parsed into Unsupported, never dropped.
package dockerfile

import "strconv"

// File is a parsed Dockerfile.
type File struct {
	Path     string // the path given to Parse, used in messages
	Escape   rune   // the escape directive's token ('\\' by default)
	MetaArgs []Arg  // ARGs before the first FROM, one per name
	Stages   []Stage
}

// Stage is one FROM and the instructions after it.
type Stage struct {
	Index        int
	Name         string // the AS name, lower-cased ("" when none)
	From         string // the FROM image word, not expanded (may hold $ARGs)
	Platform     string // the --platform value, not expanded ("" when none)
	Line         int
	Instructions []Instruction
}

// Instruction is one of Copy, Env, Arg, Workdir, Cmd, Entrypoint, Run, User, Label, Expose,
// Shell or Unsupported; Where gives "path:line" for messages.
type Instruction interface {
	Where() string
	Line() int
}

// At is where an instruction starts in a Dockerfile; it implements Where and Line.
type At struct {
	Path   string
	LineNo int
}

// Where is "path:line".
func (a At) Where() string { return a.Path + ":" + strconv.Itoa(a.LineNo) }

// Line is the line the instruction starts on (1-based).
func (a At) Line() int { return a.LineNo }

// KeyValue is one name and value of ENV or LABEL.
type KeyValue struct{ Key, Value string }

// Copy is COPY, or ADD of local files (Add set). Sources, Dest, From, Chown and Chmod are as
// written: pass them through File.Expand before use. From is a stage name, a stage index or an
// image ("" for the build context).
type Copy struct {
	At
	Sources []string
	Dest    string
	From    string
	Chown   string
	Chmod   string
	Add     bool
}

// Env is ENV. Keys and values are as written (quotes included): File.Expand removes quotes and
// expands variables, as Docker does for each.
type Env struct {
	At
	Pairs []KeyValue
}

// Arg is one name of an ARG instruction (an ARG line with several names gives one Arg each).
// Default is nil when no default is given; it is as written (expand it).
type Arg struct {
	At
	Name    string
	Default *string
}

// Workdir is WORKDIR; Path is as written (expand it).
type Workdir struct {
	At
	Path string
}

// Cmd is CMD. Shell is the shell form: Args then has one element, the command text, which the
// image's SHELL runs. Docker does not expand variables in CMD.
type Cmd struct {
	At
	Args  []string
	Shell bool
}

// Entrypoint is ENTRYPOINT, with Args and Shell as in Cmd.
type Entrypoint struct {
	At
	Args  []string
	Shell bool
}

// Run is RUN, with Args and Shell as in Cmd; Original is the instruction as written, for
// messages.
type Run struct {
	At
	Args     []string
	Shell    bool
	Original string
}

// User is USER; User is as written (expand it).
type User struct {
	At
	User string
}

// Label is LABEL (or MAINTAINER, as the label "maintainer"). Keys and values are as written:
// expand them as for Env.
type Label struct {
	At
	Pairs []KeyValue
}

// Expose is EXPOSE; Ports are as written ("8080", "53/udp", maybe "$PORT").
type Expose struct {
	At
	Ports []string
}

// Shell is SHELL, the JSON form's words.
type Shell struct {
	At
	Args []string
}

// Unsupported is an instruction, or a form of one, that needs a container engine (or that
// samship does not implement): Name is the instruction ("RUN"), Reason says what was used
// ("RUN --mount", "ADD of a URL", "heredoc").
type Unsupported struct {
	At
	Name   string
	Reason string
}
