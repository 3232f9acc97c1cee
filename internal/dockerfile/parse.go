package dockerfile

import (
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

// Parse reads the Dockerfile at path (path is used in error messages as given) into stages.
// Errors are one line, "path:line: problem".
func Parse(path string, r io.Reader) (*File, error) {
	res, err := parser.Parse(r)
	if err != nil {
		return nil, locate(path, err)
	}
	f := &File{Path: path, Escape: res.EscapeToken}
	names := map[string]int{}
	for _, n := range res.AST.Children {
		at := At{Path: path, LineNo: n.StartLine}
		if strings.EqualFold(n.Value, "from") {
			s, err := parseFrom(at, n)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", at.Where(), err)
			}
			if prev, dup := names[s.Name]; dup && s.Name != "" {
				return nil, fmt.Errorf("%s: duplicate stage name %q (first at line %d)", at.Where(), s.Name, f.Stages[prev].Line)
			}
			s.Index = len(f.Stages)
			if s.Name != "" {
				names[s.Name] = s.Index
			}
			f.Stages = append(f.Stages, s)
			continue
		}
		ins, err := parseInstruction(at, n)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", at.Where(), err)
		}
		if len(f.Stages) == 0 {
			if !strings.EqualFold(n.Value, "arg") {
				return nil, fmt.Errorf("%s: %s before the first FROM", at.Where(), strings.ToUpper(n.Value))
			}
			for _, i := range ins {
				f.MetaArgs = append(f.MetaArgs, *i.(*Arg))
			}
			continue
		}
		last := &f.Stages[len(f.Stages)-1]
		last.Instructions = append(last.Instructions, ins...)
	}
	if len(f.Stages) == 0 {
		return nil, fmt.Errorf("%s: no FROM instruction", path)
	}
	return f, nil
}

// locate turns a parser error into "path:line: problem".
func locate(path string, err error) error {
	var le *parser.LocationError
	if errors.As(err, &le) && len(le.Locations) > 0 && len(le.Locations[0]) > 0 {
		line := le.Locations[0][0].Start.Line
		if line < 1 {
			line = 1
		}
		return fmt.Errorf("%s:%d: %w", path, line, le.Unwrap())
	}
	return fmt.Errorf("%s: %w", path, err)
}

// args lists a node's arguments (the parser chains them through Next).
func args(n *parser.Node) []string {
	var out []string
	for a := n.Next; a != nil; a = a.Next {
		out = append(out, a.Value)
	}
	return out
}

var validStageName = regexp.MustCompile(`^[a-z][a-z0-9-_.]*$`)

func parseFrom(at At, n *parser.Node) (Stage, error) {
	fl, err := parseFlags("FROM", n.Flags, map[string]bool{"platform": false})
	if err != nil {
		return Stage{}, err
	}
	a := args(n)
	s := Stage{Platform: fl["platform"], Line: at.LineNo}
	switch {
	case len(a) == 3 && strings.EqualFold(a[1], "as"):
		s.Name = strings.ToLower(a[2])
		if !validStageName.MatchString(s.Name) {
			return Stage{}, fmt.Errorf("invalid stage name %q: it must start with a letter and hold only letters, digits, '-', '_' and '.'", a[2])
		}
	case len(a) != 1:
		return Stage{}, errors.New("FROM requires either one or three arguments (image [AS name])")
	}
	s.From = a[0]
	return s, nil
}

// parseInstruction converts one non-FROM node; ARG gives one Arg per name.
func parseInstruction(at At, n *parser.Node) ([]Instruction, error) {
	name := strings.ToUpper(n.Value)
	a := args(n)
	json := n.Attributes["json"]
	one := func(i Instruction, err error) ([]Instruction, error) {
		if err != nil {
			return nil, err
		}
		return []Instruction{i}, nil
	}
	if len(n.Heredocs) > 0 {
		return one(&Unsupported{At: at, Name: name, Reason: "heredoc"}, nil)
	}
	switch name {
	case "COPY":
		return one(parseCopy(at, n, a, false))
	case "ADD":
		return one(parseCopy(at, n, a, true))
	case "RUN":
		return one(parseRun(at, n, a, json))
	case "CMD", "ENTRYPOINT":
		if _, err := parseFlags(name, n.Flags, nil); err != nil {
			return nil, err
		}
		words, shell := commandLine(a, json)
		if name == "CMD" {
			return one(&Cmd{At: at, Args: words, Shell: shell}, nil)
		}
		return one(&Entrypoint{At: at, Args: words, Shell: shell}, nil)
	case "ENV", "LABEL":
		pairs, err := keyValues(name, n.Flags, a)
		if err != nil {
			return nil, err
		}
		if name == "ENV" {
			return one(&Env{At: at, Pairs: pairs}, nil)
		}
		return one(&Label{At: at, Pairs: pairs}, nil)
	case "MAINTAINER":
		if err := exactlyOne(name, n.Flags, a); err != nil {
			return nil, err
		}
		return one(&Label{At: at, Pairs: []KeyValue{{Key: "maintainer", Value: Quote(a[0])}}}, nil)
	case "ARG":
		return parseArg(at, n, a)
	case "WORKDIR":
		if err := exactlyOne(name, n.Flags, a); err != nil {
			return nil, err
		}
		return one(&Workdir{At: at, Path: a[0]}, nil)
	case "USER":
		if err := exactlyOne(name, n.Flags, a); err != nil {
			return nil, err
		}
		return one(&User{At: at, User: a[0]}, nil)
	case "EXPOSE":
		if _, err := parseFlags(name, n.Flags, nil); err != nil {
			return nil, err
		}
		if len(a) == 0 {
			return nil, errors.New("EXPOSE requires at least one argument")
		}
		return one(&Expose{At: at, Ports: a}, nil)
	case "SHELL":
		if _, err := parseFlags(name, n.Flags, nil); err != nil {
			return nil, err
		}
		if !json {
			return nil, errors.New(`SHELL requires the JSON form, e.g. SHELL ["/bin/sh", "-c"]`)
		}
		if len(a) == 0 {
			return nil, errors.New("SHELL requires at least one argument")
		}
		return one(&Shell{At: at, Args: a}, nil)
	case "HEALTHCHECK", "VOLUME", "STOPSIGNAL", "ONBUILD":
		return one(&Unsupported{At: at, Name: name, Reason: name}, nil)
	}
	return nil, fmt.Errorf("unknown instruction: %s", n.Value)
}

// commandLine gives the words of RUN/CMD/ENTRYPOINT: the JSON array, or the shell form's text.
func commandLine(a []string, json bool) (words []string, shell bool) {
	if json || len(a) == 0 {
		return a, false
	}
	return []string{strings.Join(a, " ")}, true
}

func parseRun(at At, n *parser.Node, a []string, json bool) (Instruction, error) {
	fl, err := parseFlags("RUN", n.Flags, map[string]bool{"mount": false, "network": false, "security": false, "device": false})
	if err != nil {
		return nil, err
	}
	for _, f := range []string{"mount", "network", "security", "device"} {
		if _, ok := fl[f]; ok {
			return &Unsupported{At: at, Name: "RUN", Reason: "RUN --" + f}, nil
		}
	}
	if len(a) == 0 {
		return nil, errors.New("RUN requires at least one argument")
	}
	words, shell := commandLine(a, json)
	return &Run{At: at, Args: words, Shell: shell, Original: strings.TrimSpace(n.Original)}, nil
}

func parseCopy(at At, n *parser.Node, a []string, add bool) (Instruction, error) {
	name := "COPY"
	allowed := map[string]bool{"chown": false, "chmod": false, "link": true, "exclude": false, "from": false, "parents": true}
	if add {
		name = "ADD"
		allowed = map[string]bool{"chown": false, "chmod": false, "link": true, "exclude": false, "checksum": false, "keep-git-dir": true, "unpack": true}
	}
	fl, err := parseFlags(name, n.Flags, allowed)
	if err != nil {
		return nil, err
	}
	if len(a) < 2 {
		return nil, fmt.Errorf("%s requires at least two arguments, sources and a destination", name)
	}
	for _, f := range []string{"parents", "exclude", "checksum", "keep-git-dir", "unpack"} {
		if _, ok := fl[f]; ok {
			return &Unsupported{At: at, Name: name, Reason: name + " --" + f}, nil
		}
	}
	srcs := a[:len(a)-1]
	if add {
		for _, s := range srcs {
			if why := RemoteSource(s); why != "" {
				return &Unsupported{At: at, Name: name, Reason: why}, nil
			}
		}
	}
	return &Copy{At: at, Sources: srcs, Dest: a[len(a)-1], From: fl["from"], Chown: fl["chown"], Chmod: fl["chmod"], Add: add}, nil
}

// RemoteSource says why an ADD source (expanded or not) needs an engine: "ADD of a URL" or
// "ADD of a git repository"; "" for a local path.
func RemoteSource(src string) string {
	lower := strings.ToLower(src)
	switch {
	case strings.HasPrefix(lower, "git@"), strings.HasPrefix(lower, "git://"), strings.HasPrefix(lower, "ssh://"),
		strings.Contains(lower, "://") && (strings.HasSuffix(lower, ".git") || strings.Contains(lower, ".git#")):
		return "ADD of a git repository"
	case strings.HasPrefix(lower, "http://"), strings.HasPrefix(lower, "https://"):
		return "ADD of a URL"
	}
	return ""
}

func parseArg(at At, n *parser.Node, a []string) ([]Instruction, error) {
	if _, err := parseFlags("ARG", n.Flags, nil); err != nil {
		return nil, err
	}
	if len(a) == 0 {
		return nil, errors.New("ARG requires at least one argument")
	}
	var out []Instruction
	for _, w := range a {
		arg := &Arg{At: at, Name: w}
		if k, v, ok := strings.Cut(w, "="); ok {
			arg.Name, arg.Default = k, &v
		}
		if arg.Name == "" {
			return nil, fmt.Errorf("ARG %q has no name", w)
		}
		out = append(out, arg)
	}
	return out, nil
}

// keyValues reads ENV/LABEL pairs, which the parser gives as key, value, separator triples.
func keyValues(name string, flags, a []string) ([]KeyValue, error) {
	if _, err := parseFlags(name, flags, nil); err != nil {
		return nil, err
	}
	if len(a) == 0 || len(a)%3 != 0 {
		return nil, fmt.Errorf("%s requires at least one name and value", name)
	}
	var out []KeyValue
	for i := 0; i < len(a); i += 3 {
		if a[i] == "" {
			return nil, fmt.Errorf("%s names can not be blank", name)
		}
		out = append(out, KeyValue{Key: a[i], Value: a[i+1]})
	}
	return out, nil
}

func exactlyOne(name string, flags, a []string) error {
	if _, err := parseFlags(name, flags, nil); err != nil {
		return err
	}
	if len(a) != 1 {
		return fmt.Errorf("%s requires exactly one argument", name)
	}
	return nil
}

// parseFlags reads an instruction's --flags; allowed maps each flag to whether it is boolean.
// Booleans read "true"/"false"; only --exclude may repeat (its last value is kept).
func parseFlags(name string, raw []string, allowed map[string]bool) (map[string]string, error) {
	out := map[string]string{}
	for _, r := range raw {
		if r == "--" {
			break
		}
		if !strings.HasPrefix(r, "--") {
			return nil, fmt.Errorf("%s flag %q should start with --", name, r)
		}
		key, val, hasVal := strings.Cut(r[2:], "=")
		isBool, ok := allowed[key]
		if !ok {
			return nil, fmt.Errorf("unknown flag for %s: --%s", name, key)
		}
		if _, dup := out[key]; dup && key != "exclude" {
			return nil, fmt.Errorf("duplicate flag for %s: --%s", name, key)
		}
		switch {
		case isBool:
			switch strings.ToLower(val) {
			case "true", "":
				if hasVal && val == "" {
					return nil, fmt.Errorf("missing a value on %s flag --%s", name, key)
				}
				val = "true"
			case "false":
				val = "false"
			default:
				return nil, fmt.Errorf("%s flag --%s wants true or false, not %q", name, key, val)
			}
			if val == "false" {
				continue // --link=false etc. change nothing
			}
		case !hasVal:
			return nil, fmt.Errorf("missing a value on %s flag --%s", name, key)
		}
		out[key] = val
	}
	return out, nil
}
