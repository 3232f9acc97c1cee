package depinstall

import (
	"errors"
	"strings"
)

// word is one word of a shell command after quote removal and expansion; glob is set when
// the word holds an unquoted '[' that /bin/sh would treat as a pattern.
type word struct {
	text string
	glob bool
}

// errNotSimple is why a shell command is not a plain list of words.
var errNotSimple = errors.New("not a simple command")

// splitWords splits a shell-form command into words as /bin/sh would, with quotes removed
// and $VAR / ${VAR} expanded from env. Anything beyond that (operators, redirections,
// command substitution, globs other than a bracket, comments, tilde, unset variables, an
// unquoted expansion that would be field-split or globbed, ${VAR:-…} forms) is refused
// with errNotSimple: the caller cannot run it exactly.
func splitWords(s string, env map[string]string) ([]word, error) {
	var (
		words   []word
		cur     strings.Builder
		inWord  bool // a word has started (even an empty quoted one)
		glob    bool
		i       int
		escaped bool
	)
	flush := func() {
		if inWord {
			words = append(words, word{text: cur.String(), glob: glob})
		}
		cur.Reset()
		inWord, glob = false, false
	}
	for i < len(s) {
		c := s[i]
		if escaped {
			escaped = false
			if c == '\n' { // line continuation
				i++
				continue
			}
			cur.WriteByte(c)
			inWord = true
			i++
			continue
		}
		switch c {
		case ' ', '\t':
			flush()
			i++
		case '\\':
			escaped = true
			i++
		case '\'':
			end := strings.IndexByte(s[i+1:], '\'')
			if end < 0 {
				return nil, errNotSimple
			}
			cur.WriteString(s[i+1 : i+1+end])
			inWord = true
			i += end + 2
		case '"':
			n, err := doubleQuoted(s[i+1:], env, &cur)
			if err != nil {
				return nil, err
			}
			inWord = true
			i += n + 1
		case '$':
			v, n, err := expand(s[i:], env)
			if err != nil {
				return nil, err
			}
			// Unquoted: /bin/sh would split it into fields and glob each; refuse when that
			// would change anything, and drop an empty expansion as sh would.
			if strings.ContainsAny(v, " \t\n*?[") {
				return nil, errNotSimple
			}
			if v != "" {
				cur.WriteString(v)
				inWord = true
			}
			i += n
		case '[':
			glob = true
			cur.WriteByte(c)
			inWord = true
			i++
		case '#', '~':
			if !inWord {
				return nil, errNotSimple
			}
			cur.WriteByte(c)
			i++
		case ';', '&', '|', '<', '>', '`', '(', ')', '*', '?', '\n', '\r':
			return nil, errNotSimple
		default:
			cur.WriteByte(c)
			inWord = true
			i++
		}
	}
	if escaped {
		return nil, errNotSimple
	}
	flush()
	return words, nil
}

// doubleQuoted reads a double-quoted string's body from s (after the opening quote) into
// cur and returns how many bytes it used, the closing quote included.
func doubleQuoted(s string, env map[string]string, cur *strings.Builder) (int, error) {
	i := 0
	for i < len(s) {
		switch c := s[i]; c {
		case '"':
			return i + 1, nil
		case '\\':
			if i+1 >= len(s) {
				return 0, errNotSimple
			}
			switch n := s[i+1]; n {
			case '$', '`', '"', '\\':
				cur.WriteByte(n)
			case '\n':
			default:
				cur.WriteByte('\\')
				cur.WriteByte(n)
			}
			i += 2
		case '$':
			v, n, err := expand(s[i:], env)
			if err != nil {
				return 0, err
			}
			cur.WriteString(v)
			i += n
		case '`':
			return 0, errNotSimple
		default:
			cur.WriteByte(c)
			i++
		}
	}
	return 0, errNotSimple
}

// expand reads $NAME or ${NAME} at the start of s and returns its value and length. A
// variable not in env, special parameters ($1, $?, $$…), $( and ${…} with operators are
// refused: their value here would be a guess.
func expand(s string, env map[string]string) (string, int, error) {
	if len(s) < 2 {
		return "", 0, errNotSimple // a lone '$' at the end: rare enough to refuse
	}
	var name string
	var n int
	if s[1] == '{' {
		end := strings.IndexByte(s, '}')
		if end < 0 {
			return "", 0, errNotSimple
		}
		name, n = s[2:end], end+1
	} else {
		j := 1
		for j < len(s) && isNameByte(s[j], j == 1) {
			j++
		}
		name, n = s[1:j], j
	}
	if !validName(name) {
		return "", 0, errNotSimple
	}
	v, ok := env[name]
	if !ok {
		return "", 0, errNotSimple
	}
	return v, n, nil
}

func isNameByte(c byte, first bool) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || !first && c >= '0' && c <= '9'
}

func validName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		if !isNameByte(name[i], i == 0) {
			return false
		}
	}
	return true
}

// quoteWord quotes a word for a message so that it reads back as the same word.
func quoteWord(w string) string {
	if w != "" && !strings.ContainsAny(w, " \t\n'\"\\$`;&|<>()*?[]#~{}!") {
		return w
	}
	return "'" + strings.ReplaceAll(w, "'", `'\''`) + "'"
}
