package depinstall

import (
	"regexp"
	"sort"
	"strings"
)

// Command is a RUN instruction as the builder gives it.
type Command struct {
	Args  []string          // exec form: the words; shell form: one element, the command text
	Shell bool              // shell form (RUN cmd) rather than exec form (RUN ["cmd", …])
	Env   map[string]string // the image's environment at that point (for $VAR/${VAR} in shell form)
}

// Install is a pip or npm dependency install that samship runs itself.
type Install struct {
	Tool          string // "pip" or "npm"
	PythonVersion string // "3.12" when the command names it (python3.12 -m pip, pip3.12), else ""

	words   []string // the command as written, after quotes and expansion
	globs   []string // words holding an unquoted '[', which /bin/sh would match against files
	toolEnv []string // the image's PIP_*/npm_config_* settings, which the tool sees in an image

	// pip
	requirements []string // -r files, as written
	constraints  []string // -c files, as written
	findLinks    []string // -f values that are paths, as written
	target       string   // -t, as written ("" when not given)

	// npm
	subcommand string   // "ci" or "install"
	noLock     bool     // --no-package-lock
	packages   []string // npm install's package arguments

	opts []string // the user's options and arguments to pass on, as written
}

// Recognize returns the install a RUN is, or ok=false when samship cannot run it itself.
// Shell form is split into words as /bin/sh would (quotes, $VAR and ${VAR} from cmd.Env);
// operators, redirections, substitutions, globs, unset variables and any option not known
// to mean the same on this machine make it not ok. Exec form is taken word for word.
// Recognised: pip install, pip3 install, pip3.X install, python -m pip install, python3 -m
// pip install, python3.X -m pip install with requirement, constraint and target options,
// index options and package specifications; npm ci, npm install and npm i with options
// that choose which dependencies to install and how quietly, and (npm install) registry
// package arguments.
func Recognize(cmd Command) (in *Install, ok bool) {
	var words []word
	if cmd.Shell {
		if len(cmd.Args) != 1 {
			return nil, false
		}
		var err error
		if words, err = splitWords(cmd.Args[0], cmd.Env); err != nil {
			return nil, false
		}
	} else {
		for _, a := range cmd.Args {
			if strings.ContainsAny(a, "$") { // exec form does not expand: a literal '$' path is surely a mistake
				return nil, false
			}
			words = append(words, word{text: a})
		}
	}
	if len(words) < 2 {
		return nil, false
	}
	in = &Install{}
	for _, w := range words {
		in.words = append(in.words, w.text)
		if w.glob {
			in.globs = append(in.globs, w.text)
		}
	}
	ws := in.words
	switch {
	case ws[0] == "npm":
		in.Tool = "npm"
		ok = in.parseNpm(ws[1:])
	case isPip(ws[0]) && ws[1] == "install":
		in.Tool, in.PythonVersion = "pip", versionOf(ws[0], "pip")
		ok = in.parsePip(ws[2:])
	case isPython(ws[0]) && len(ws) >= 4 && ws[1] == "-m" && ws[2] == "pip" && ws[3] == "install":
		in.Tool, in.PythonVersion = "pip", versionOf(ws[0], "python")
		ok = in.parsePip(ws[4:])
	}
	if !ok {
		return nil, false
	}
	in.toolEnv = toolEnv(cmd.Env, in.Tool)
	return in, true
}

var (
	pipName    = regexp.MustCompile(`^pip(3(\.[0-9]+)?)?$`)
	pythonName = regexp.MustCompile(`^python(3(\.[0-9]+)?)?$`)
)

func isPip(w string) bool    { return pipName.MatchString(w) }
func isPython(w string) bool { return pythonName.MatchString(w) }

// versionOf is the X.Y in pip3.X or python3.X, or "".
func versionOf(w, prog string) string {
	v := strings.TrimPrefix(w, prog)
	if strings.Contains(v, ".") {
		return v
	}
	return ""
}

// toolEnv is the settings in the image's environment that the tool reads.
func toolEnv(env map[string]string, tool string) []string {
	var out []string
	for k, v := range env {
		if tool == "pip" && strings.HasPrefix(k, "PIP_") ||
			tool == "npm" && (strings.HasPrefix(k, "npm_config_") || strings.HasPrefix(k, "NPM_CONFIG_")) {
			out = append(out, k+"="+v)
		}
	}
	sort.Strings(out)
	return out
}

// String gives the install in one line as the user wrote it, normalised (for messages).
func (in *Install) String() string {
	q := make([]string, len(in.words))
	for i, w := range in.words {
		q[i] = quoteWord(w)
	}
	return strings.Join(q, " ")
}
