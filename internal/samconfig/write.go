package samconfig

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"

	"github.com/samship/samship/internal/userfile"
)

// Map is a table value in key order, as SAM CLI's --save-params writes the options click
// turns into dictionaries (tags, parameter_overrides, image_repositories, metadata): a
// [env.cmd.parameters.key] sub-table in TOML, a nested mapping in YAML.
type Map []Entry

// Entry is one key of a Map.
type Entry struct{ Key, Value string }

// Param is one parameter to save. A nil Value, false, an empty string or an empty list
// removes the key (unless Keep): unlike SAM CLI, a setting turned off does not leave an old
// true behind.
type Param struct {
	Key   string
	Value any // string, bool, int, []string or Map
	// Keep writes a false, empty or zero value instead of removing the key (--save-params
	// saves what the command line said, and false may differ from the default).
	Keep bool
}

func (p Param) removes() bool {
	if p.Keep {
		return p.Value == nil
	}
	switch v := p.Value.(type) {
	case nil:
		return true
	case bool:
		return !v
	case string:
		return v == ""
	case []string:
		return len(v) == 0
	case Map:
		return len(v) == 0
	}
	return false
}

// Write saves params into [env.cmd.parameters] and global into [env.global.parameters] of the
// config file at path, creating it when missing. Every byte it was not asked to change stays
// as it was: comments, blank lines, key order, other environments and commands. As in SAM
// CLI, a command key whose value equals the same key of the env's global section is removed
// from the command section. The file is replaced atomically with its permissions kept; a
// symbolic link is written through (its target changes, the link stays); a file with CRLF
// line ends or a UTF-8 byte order mark keeps them. When the existing file cannot be parsed
// nothing is written.
func Write(path, env, cmd string, params, global []Param) error {
	ext := strings.ToLower(filepath.Ext(path))
	if ext == ".json" {
		return fmt.Errorf("write %s: samship saves to samconfig.toml or samconfig.yaml, not JSON; choose another SAM configuration file", path)
	}
	if target, err := filepath.EvalSymlinks(path); err == nil {
		path = target
	}
	// Writers beside each other (CI jobs saving at once) take turns, so that each keeps what
	// the others wrote.
	unlock, err := lockDir(filepath.Dir(path))
	if err != nil {
		return err
	}
	defer unlock()
	src, err := userfile.Read("config file", path, MaxSize)
	mode := fs.FileMode(0o644)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		src = nil
	case err != nil:
		return err
	default:
		if fi, err := os.Stat(path); err == nil {
			mode = fi.Mode().Perm()
		}
		if mode&0o200 == 0 {
			return fmt.Errorf("write %s: the file is read-only (mode %04o); make it writable to save to it", path, mode)
		}
		if _, err := Parse(path, src); err != nil && len(bytes.TrimSpace(src)) > 0 {
			return err
		}
	}
	var ed editor = tomlEditor{}
	if ext == ".yaml" || ext == ".yml" {
		ed = yamlEditor{}
	}
	form := formOf(src)
	out, err := apply(ed, path, form.strip(src), env, cmd, params, global)
	if err != nil {
		return err
	}
	out = form.restore(out)
	if bytes.Equal(out, src) {
		return nil
	}
	return writeAtomic(path, out, mode)
}

var bom = []byte("\xef\xbb\xbf")

// form is what of a file's form the editors do not keep themselves: a byte order mark, and
// CRLF line ends (when every line has them).
type form struct{ bom, crlf bool }

func formOf(src []byte) form {
	body := bytes.TrimPrefix(src, bom)
	crlf := bytes.Contains(body, []byte("\r\n")) && bytes.Count(body, []byte("\n")) == bytes.Count(body, []byte("\r\n"))
	return form{bom: bytes.HasPrefix(src, bom), crlf: crlf}
}

func (f form) strip(src []byte) []byte {
	src = bytes.TrimPrefix(src, bom)
	if f.crlf {
		src = bytes.ReplaceAll(src, []byte("\r\n"), []byte("\n"))
	}
	return src
}

func (f form) restore(out []byte) []byte {
	if f.crlf {
		out = bytes.ReplaceAll(out, []byte("\n"), []byte("\r\n"))
	}
	if f.bom {
		out = append(append([]byte{}, bom...), out...)
	}
	return out
}

// editor changes one key of a config document, keeping every other byte.
type editor interface {
	empty() []byte
	set(src []byte, table []string, key string, value any) ([]byte, error)
	remove(src []byte, table []string, key string) ([]byte, error)
}

func apply(ed editor, path string, src []byte, env, cmd string, params, global []Param) ([]byte, error) {
	var err error
	fresh := len(bytes.TrimSpace(src)) == 0
	if fresh {
		src = ed.empty()
	}
	cmdTable, globalTable := []string{env, cmd, "parameters"}, []string{env, "global", "parameters"}
	for _, p := range params {
		cur, perr := Parse(path, src)
		if perr != nil {
			return nil, fmt.Errorf("edit %s: %w", path, perr)
		}
		g, hasGlobal := cur.Params(env, "global")[p.Key]
		m, isMap := p.Value.(Map)
		switch {
		case p.removes(), hasGlobal && sameValue(g, p.Value):
			src, err = ed.remove(src, cmdTable, p.Key)
		case isMap:
			src, err = setMap(ed, src, cur.Params(env, cmd)[p.Key], cmdTable, p.Key, m)
		default:
			src, err = ed.set(src, cmdTable, p.Key, p.Value)
		}
		if err != nil {
			return nil, fmt.Errorf("edit %s: %w", path, err)
		}
	}
	for _, p := range global {
		if p.removes() {
			src, err = ed.remove(src, globalTable, p.Key)
		} else {
			src, err = ed.set(src, globalTable, p.Key, p.Value)
		}
		if err != nil {
			return nil, fmt.Errorf("edit %s: %w", path, err)
		}
	}
	if f, ok := ed.(interface{ finishNew([]byte) []byte }); ok && fresh {
		src = f.finishNew(src)
	}
	return src, verify(path, src, env, cmd, params, global)
}

// setMap makes table.key the table m, as SAM CLI's writer does when it saves a dictionary:
// an old value of another form goes, and so do old keys of the table m does not have.
func setMap(ed editor, src []byte, old any, table []string, key string, m Map) ([]byte, error) {
	var err error
	sub := append(append([]string{}, table...), key)
	if oldMap, ok := old.(map[string]any); ok {
		keep := map[string]bool{}
		for _, e := range m {
			keep[e.Key] = true
		}
		for k := range oldMap {
			if !keep[k] {
				if src, err = ed.remove(src, sub, k); err != nil {
					return nil, err
				}
			}
		}
	} else if old != nil {
		if src, err = ed.remove(src, table, key); err != nil {
			return nil, err
		}
	}
	for _, e := range m {
		if src, err = ed.set(src, sub, e.Key, e.Value); err != nil {
			return nil, err
		}
	}
	return src, nil
}

// verify reads the edited document back and checks it holds what was written.
func verify(path string, src []byte, env, cmd string, params, global []Param) error {
	f, err := Parse(path, src)
	if err != nil {
		return fmt.Errorf("edit %s: the result does not parse: %w", path, err)
	}
	for _, c := range []struct {
		section string
		ps      []Param
	}{{cmd, params}, {"global", global}} {
		e, _ := f.doc[env].(map[string]any)
		s, _ := e[c.section].(map[string]any)
		got, _ := s["parameters"].(map[string]any)
		for _, p := range c.ps {
			v, ok := got[p.Key]
			if p.removes() && ok || !p.removes() && ok && !sameValue(v, p.Value) {
				return fmt.Errorf("edit %s: %s of [%s.%s.parameters] does not read back as written", path, p.Key, env, c.section)
			}
		}
	}
	return nil
}

// sameValue compares a parsed value with a value to write.
func sameValue(parsed, v any) bool {
	if m, ok := v.(Map); ok {
		got, ok := parsed.(map[string]any)
		if !ok || len(got) != len(m) {
			return false
		}
		for _, e := range m {
			if got[e.Key] != e.Value {
				return false
			}
		}
		return true
	}
	if n, ok := v.(int); ok {
		return fmt.Sprint(parsed) == fmt.Sprint(n)
	}
	if list, ok := v.([]string); ok {
		items, ok := parsed.([]any)
		if !ok || len(items) != len(list) {
			return false
		}
		for i := range list {
			if items[i] != list[i] {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(parsed, v)
}

// writeAtomic replaces path with data through a temporary file in the same directory.
func writeAtomic(path string, data []byte, mode fs.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

type tomlEditor struct{}

func (tomlEditor) empty() []byte { return []byte("version = 0.1\n") }

func (tomlEditor) set(src []byte, table []string, key string, value any) ([]byte, error) {
	raw, err := tomlValue(value)
	if err != nil {
		return nil, err
	}
	return setTOML(src, strings.Join(table, "."), key, raw)
}

func (tomlEditor) remove(src []byte, table []string, key string) ([]byte, error) {
	return deleteTOML(src, strings.Join(table, "."), key)
}
