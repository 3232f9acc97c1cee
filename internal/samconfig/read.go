// Package samconfig reads SAM CLI's configuration files (samconfig.toml, .yaml/.yml, .json):
// SAM's file lookup, `version` check and section precedence, where [env.<command>.parameters]
// wins over [env.global.parameters].
package samconfig

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/pelletier/go-toml/v2"
	"go.yaml.in/yaml/v3"

	"github.com/samship/samship/internal/srcerr"
	"github.com/samship/samship/internal/userfile"
)

// DefaultName is the config file name SAM CLI looks for by default.
const DefaultName = "samconfig.toml"

// File is one parsed config file.
type File struct {
	Path string
	doc  map[string]any
}

// Find returns the config file to read from dir: name itself when explicit (it must exist),
// else the first of samconfig.toml, samconfig.yaml, samconfig.yml that exists. It returns ""
// when there is none.
func Find(dir, name string, explicit bool) (string, error) {
	if explicit {
		p := name
		if !filepath.IsAbs(p) {
			p = filepath.Join(dir, p)
		}
		if fi, err := os.Stat(p); err != nil || fi.IsDir() {
			//lint:ignore ST1005 SAM CLI's own message, word for word (design.md §1)
			return "", fmt.Errorf("Config file %s does not exist or could not be read!", name)
		}
		return p, nil
	}
	for _, n := range []string{"samconfig.toml", "samconfig.yaml", "samconfig.yml"} {
		p := filepath.Join(dir, n)
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			return p, nil
		}
	}
	return "", nil
}

// MaxSize is the largest config file read (SAM CLI's are a few kilobytes).
const MaxSize = 1 * userfile.MiB

// Load reads and parses a config file. Syntax errors read "file:line: problem".
func Load(path string) (*File, error) {
	data, err := userfile.Read("config file", path, MaxSize)
	if err != nil {
		return nil, err
	}
	return Parse(path, data)
}

// Parse parses data by the file name's extension.
func Parse(path string, data []byte) (*File, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // a UTF-8 byte order mark
	f := &File{Path: path, doc: map[string]any{}}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".yaml", ".yml":
		if err := yaml.Unmarshal(data, &f.doc); err != nil {
			return nil, srcerr.YAML(path, data, err)
		}
	case ".json":
		if err := json.Unmarshal(data, &f.doc); err != nil {
			return nil, fmt.Errorf("%s:1: %w", path, err)
		}
	default:
		if err := toml.Unmarshal(data, &f.doc); err != nil {
			var de *toml.DecodeError
			if errors.As(err, &de) {
				row, _ := de.Position()
				return nil, fmt.Errorf("%s:%d: %s", path, row, de.Error())
			}
			return nil, fmt.Errorf("%s:1: %w", path, err)
		}
	}
	if f.doc == nil {
		f.doc = map[string]any{}
	}
	if err := f.checkVersion(); err != nil {
		return nil, err
	}
	return f, nil
}

func (f *File) checkVersion() error {
	v, ok := f.doc["version"]
	if !ok {
		return fmt.Errorf("%s:1: 'version' key is not present or is in unrecognized format", f.Path)
	}
	switch x := v.(type) {
	case float64, int64, int:
		return nil
	case string:
		if _, err := strconv.ParseFloat(x, 64); err == nil {
			return nil
		}
	}
	return fmt.Errorf("%s:1: 'version' key is not present or is in unrecognized format", f.Path)
}

// Params returns the parameters of cmd (e.g. "deploy") in env, with the env's global
// parameters underneath: a key in the command's table wins.
func (f *File) Params(env, cmd string) map[string]any {
	return f.params(env, "global", cmd)
}

// Section returns the parameters of one section of env ("deploy", "global") alone.
func (f *File) Section(env, section string) map[string]any {
	return f.params(env, section)
}

// params merges the parameters of env's sections, later ones winning.
func (f *File) params(env string, sections ...string) map[string]any {
	out := map[string]any{}
	e, _ := f.doc[env].(map[string]any)
	for _, section := range sections {
		s, _ := e[section].(map[string]any)
		p, _ := s["parameters"].(map[string]any)
		for k, v := range p {
			out[k] = v
		}
	}
	return out
}
