package dockerfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
)

// Context is a build context directory with its .dockerignore applied.
type Context struct {
	dir      string
	osRoot   *os.Root
	root     fs.FS  // osRoot's FS: symlinks are only followed inside dir
	ignore   string // the ignore file used ("" when none)
	matcher  *patternmatcher.PatternMatcher
	included map[string]bool // every visible path, from the walk at open
}

// OpenContext opens the build context dir for the Dockerfile at dockerfile (a path as given
// to the OS, not inside dir). BuildKit's rule picks the ignore file: <Dockerfile>.dockerignore
// next to the Dockerfile wins over <dir>/.dockerignore. The context is walked once here; FS
// shows what that walk saw as included.
func OpenContext(dir, dockerfile string) (*Context, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("open build context: %w", err)
	}
	c := &Context{dir: dir, osRoot: root, root: root.FS()}
	for _, candidate := range []string{dockerfile + ".dockerignore", filepath.Join(dir, ".dockerignore")} {
		fh, err := os.Open(candidate)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			root.Close()
			return nil, fmt.Errorf("open ignore file: %w", err)
		}
		patterns, err := ignorefile.ReadAll(fh)
		fh.Close()
		if err == nil {
			c.matcher, err = patternmatcher.New(patterns)
		}
		if err != nil {
			root.Close()
			return nil, fmt.Errorf("read ignore file %s: %w", candidate, err)
		}
		c.ignore = candidate
		break
	}
	files, err := c.Files()
	if err != nil {
		root.Close()
		return nil, err
	}
	c.included = make(map[string]bool, len(files)+1)
	c.included["."] = true
	for _, f := range files {
		c.included[f] = true
	}
	return c, nil
}

// Close releases the context directory; FS fails after it.
func (c *Context) Close() error { return c.osRoot.Close() }

// IgnoreFile is the path of the .dockerignore in use, "" when there is none.
func (c *Context) IgnoreFile() string { return c.ignore }

// excluded reports whether the ignore patterns exclude name (or a parent of it).
func (c *Context) excluded(name string) (bool, error) {
	if c.matcher == nil {
		return false, nil
	}
	ex, err := c.matcher.MatchesOrParentMatches(name)
	if err != nil {
		return false, fmt.Errorf("match %s against %s: %w", name, c.ignore, err)
	}
	return ex, nil
}

// Files lists every included regular file, directory and symlink, slash-separated and sorted
// (to tar the context for an engine build). An excluded directory is only entered when a "!"
// pattern may bring something inside it back; it is listed when something inside it is.
func (c *Context) Files() ([]string, error) {
	var out []string
	listed := map[string]bool{}
	add := func(p string) {
		// Parents of an included path are part of the context too.
		for d := path.Dir(p); d != "." && !listed[d]; d = path.Dir(d) {
			listed[d] = true
			out = append(out, d)
		}
		if !listed[p] {
			listed[p] = true
			out = append(out, p)
		}
	}
	err := fs.WalkDir(c.root, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("walk build context %s: %w", c.dir, err)
		}
		if p == "." {
			return nil
		}
		ex, err := c.excluded(p)
		if err != nil {
			return err
		}
		t := d.Type()
		switch {
		case ex && d.IsDir() && !c.matcher.Exclusions():
			return fs.SkipDir
		case ex:
			return nil
		case t.IsRegular(), t.IsDir(), t&fs.ModeSymlink != 0:
			add(p)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.Sort(out)
	return out, nil
}

// FS is the context with ignored paths invisible: Open, Stat, ReadDir, Lstat and ReadLink of
// one fail with fs.ErrNotExist. It implements fs.ReadLinkFS, so symlinks are seen as links;
// a symlink is only followed inside the context.
func (c *Context) FS() fs.FS { return ctxFS{c} }

type ctxFS struct{ c *Context }

var (
	_ fs.ReadLinkFS = ctxFS{}
	_ fs.StatFS     = ctxFS{}
	_ fs.ReadDirFS  = ctxFS{}
)

func (x ctxFS) check(op, name string) error {
	if !fs.ValidPath(name) {
		return &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	if !x.c.included[name] {
		return &fs.PathError{Op: op, Path: name, Err: fs.ErrNotExist}
	}
	return nil
}

func (x ctxFS) Open(name string) (fs.File, error) {
	if err := x.check("open", name); err != nil {
		return nil, err
	}
	f, err := x.c.root.Open(name)
	if err != nil {
		return nil, err
	}
	if d, ok := f.(fs.ReadDirFile); ok {
		return &ctxDir{ReadDirFile: d, x: x, name: name}, nil
	}
	return f, nil
}

func (x ctxFS) Stat(name string) (fs.FileInfo, error) {
	if err := x.check("stat", name); err != nil {
		return nil, err
	}
	return fs.Stat(x.c.root, name)
}

func (x ctxFS) Lstat(name string) (fs.FileInfo, error) {
	if err := x.check("lstat", name); err != nil {
		return nil, err
	}
	return fs.Lstat(x.c.root, name)
}

func (x ctxFS) ReadLink(name string) (string, error) {
	if err := x.check("readlink", name); err != nil {
		return "", err
	}
	return fs.ReadLink(x.c.root, name)
}

func (x ctxFS) ReadDir(name string) ([]fs.DirEntry, error) {
	if err := x.check("readdir", name); err != nil {
		return nil, err
	}
	ents, err := fs.ReadDir(x.c.root, name)
	return x.filter(name, ents), err
}

// filter drops the entries of dir that the ignore file excludes.
func (x ctxFS) filter(dir string, ents []fs.DirEntry) []fs.DirEntry {
	return slices.DeleteFunc(ents, func(e fs.DirEntry) bool {
		return !x.c.included[strings.TrimPrefix(path.Join(dir, e.Name()), "./")]
	})
}

// ctxDir is an open directory of the context whose ReadDir hides excluded entries.
type ctxDir struct {
	fs.ReadDirFile
	x    ctxFS
	name string
}

func (d *ctxDir) ReadDir(n int) ([]fs.DirEntry, error) {
	ents, err := d.ReadDirFile.ReadDir(n)
	ents = d.x.filter(d.name, ents)
	if n > 0 && len(ents) == 0 && err == nil {
		return d.ReadDir(n) // every entry of this batch was excluded: read the next
	}
	return ents, err
}

// Excluded reports whether .dockerignore leaves the path rel (slash-separated, relative to the
// context) out of the context, whether or not it exists yet: what a watcher of the context
// ignores.
func (c *Context) Excluded(rel string) bool {
	ex, err := c.excluded(rel)
	return err == nil && ex
}
