package registry

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/samship/samship/internal/imageref"
)

// SourceKind is what an ImageUri value names, as samship reads images.
type SourceKind int

const (
	// SourceNowhere is a value that is no file, no registry reference, and no engine is
	// reachable to hold it.
	SourceNowhere SourceKind = iota
	// SourceLayout is a directory: an OCI layout.
	SourceLayout
	// SourceArchive is a regular file: a docker-archive or an OCI tarball.
	SourceArchive
	// SourceSpecial is a file neither regular nor a directory (a named pipe, a device): it
	// would be read without end, or waited on forever.
	SourceSpecial
	// SourceMissing is a path ("./x", "../x", "/x") to nothing.
	SourceMissing
	// SourceRegistry is an image in another registry.
	SourceRegistry
	// SourceEngine is a name of the engine's, such as "hellofunction:python3.12-v1" left by
	// sam build; whether the engine has it is the engine's to say.
	SourceEngine
)

var sourceKinds = [...]string{"nowhere", "layout", "archive", "special file", "missing path", "registry", "engine"}

func (k SourceKind) String() string {
	if k < 0 || int(k) >= len(sourceKinds) {
		return fmt.Sprintf("SourceKind(%d)", int(k))
	}
	return sourceKinds[k]
}

// Source is an ImageUri value classified.
type Source struct {
	Kind SourceKind
	// Value is the ImageUri as the template names it.
	Value string
	// Path is the file or directory a layout, archive or special source is, absolute when
	// it can be made so; "" for the other kinds.
	Path string
}

// SourceOf classifies value, the ImageUri of a function of the template in dir: a file or
// directory there (a relative path is read from dir; when dir is "" only absolute paths name
// files), else a path to nothing, else a reference to another registry, else a name of
// engine's (nil when none is reachable). A file wins over a reference spelt the same. It
// reads nothing but the file's mode, and asks the engine nothing.
func SourceOf(value, dir string, engine *Engine) Source {
	path := value
	if !filepath.IsAbs(path) {
		path = ""
		if dir != "" {
			path = filepath.Join(dir, value)
		}
	}
	if fi, err := os.Stat(path); path != "" && err == nil {
		kind := SourceArchive
		switch {
		case fi.IsDir():
			kind = SourceLayout
		case !fi.Mode().IsRegular():
			kind = SourceSpecial
		}
		if abs, err := filepath.Abs(path); err == nil {
			path = abs
		}
		return Source{Kind: kind, Value: value, Path: path}
	}
	kind := SourceNowhere
	switch {
	case imageref.IsPath(value):
		kind = SourceMissing
	case imageref.IsRegistryReference(value):
		kind = SourceRegistry
	case engine != nil:
		kind = SourceEngine
	}
	return Source{Kind: kind, Value: value}
}

// Err returns why s cannot be read as the image of the function at fullPath; nil when it
// can be (whether an engine has its image is the engine's to say: see Engine.Inspect).
func (s Source) Err(fullPath string) error {
	switch s.Kind {
	case SourceSpecial:
		return fmt.Errorf("function %s: image %s is neither a regular file nor a directory", fullPath, s.Value)
	case SourceMissing:
		return fmt.Errorf("function %s: image %s: no such file or directory (a value starting ./, ../ or / is a path, relative to the template)", fullPath, s.Value)
	case SourceNowhere:
		return fmt.Errorf("function %s: image %s is neither a file nor a directory next to the template, nor an image in a registry, and no Docker or Podman engine is reachable (set DOCKER_HOST)", fullPath, s.Value)
	}
	return nil
}
