package watch

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
)

// stat is what a walk remembers of one path: enough to see that it changed without reading it.
type stat struct {
	size  int64
	mtime int64 // UnixNano; 0 for directories, whose time changes with every entry
	mode  fs.FileMode
	seen  *keySet // the group's roots that see this path; nil when all of them ignore it
}

// snapshot is one walk of a group's directory, by slash-separated path relative to it.
// Ignored paths are kept (with a nil seen) so the next walk need not ask Ignore again.
type snapshot map[string]stat

// keySet is a set of roots of one group, by index into group.roots.
type keySet struct{ idx []int }

// group is the roots sharing one directory, walked once for all of them.
type group struct {
	dir   string
	roots []Root
	all   *keySet
	snap  snapshot // the last walk that worked
	err   string   // the last walk error reported, "" when the last walk worked
}

// groupRoots checks roots and groups them by directory, in the order first given.
func groupRoots(roots []Root) ([]*group, error) {
	if len(roots) == 0 {
		return nil, errors.New("watch: no roots given")
	}
	var groups []*group
	byDir := map[string]*group{}
	for _, r := range roots {
		if r.Key == "" {
			return nil, fmt.Errorf("watch root with dir %q: empty key", r.Dir)
		}
		if !filepath.IsAbs(r.Dir) {
			return nil, fmt.Errorf("watch root %s: dir %q is not absolute", r.Key, r.Dir)
		}
		dir := filepath.Clean(r.Dir)
		g := byDir[dir]
		if g == nil {
			g = &group{dir: dir, all: &keySet{}}
			byDir[dir] = g
			groups = append(groups, g)
		}
		g.all.idx = append(g.all.idx, len(g.roots))
		g.roots = append(g.roots, r)
	}
	return groups, nil
}

// keys names the roots in s, sorted and without repeats.
func (g *group) keys(s *keySet) []string {
	var out []string
	for _, i := range s.idx {
		out = append(out, g.roots[i].Key)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// fail wraps a walk error with the keys of the group's roots.
func (g *group) fail(err error) error {
	return fmt.Errorf("watch %s: %w", strings.Join(g.keys(g.all), ", "), err)
}

// walk stats every path under the group's directory that some root does not ignore. prev is
// the last walk (nil for none): a path it holds keeps the roots that saw it then, since
// Ignore depends on the path only.
func (g *group) walk(prev snapshot) (snapshot, error) {
	info, err := os.Stat(g.dir)
	if err != nil {
		return nil, err
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("walk %s: not a directory", g.dir)
	}
	next := make(snapshot, len(prev))
	if err := g.walkDir(g.dir, "", g.all, prev, next); err != nil {
		return nil, err
	}
	return next, nil
}

// walkDir adds the entries of the directory abs (rel inside the group's directory, "" at
// the top), seen by the roots in seen, to next. A path removed while the walk runs is
// skipped: the next walk reports it.
func (g *group) walkDir(abs, rel string, seen *keySet, prev, next snapshot) error {
	f, err := os.Open(abs)
	if err != nil {
		if rel != "" && gone(err) {
			return nil
		}
		return err
	}
	ents, err := f.ReadDir(-1)
	f.Close()
	if err != nil {
		if rel != "" && gone(err) {
			return nil
		}
		return err
	}
	for _, e := range ents {
		name := e.Name()
		r := name
		if rel != "" {
			r = rel + "/" + name
		}
		var set *keySet
		if p, ok := prev[r]; ok {
			set = p.seen
		} else {
			set = g.filter(seen, r)
		}
		if set == nil {
			next[r] = stat{}
			continue
		}
		info, err := e.Info()
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return err
		}
		st := stat{mode: info.Mode(), seen: set}
		if !info.IsDir() {
			st.size, st.mtime = info.Size(), info.ModTime().UnixNano()
		}
		next[r] = st
		if info.IsDir() {
			if err := g.walkDir(filepath.Join(abs, name), r, set, prev, next); err != nil {
				return err
			}
		}
	}
	return nil
}

// gone is whether err says a path inside the tree was removed (or replaced by a file) while
// the walk ran.
func gone(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR)
}

// filter is the roots of seen that do not ignore rel: seen itself when none does, nil when
// all do.
func (g *group) filter(seen *keySet, rel string) *keySet {
	var keep []int // nil until some root ignores rel
	for i, idx := range seen.idx {
		if ig := g.roots[idx].Ignore; ig != nil && ig(rel) {
			if keep == nil {
				keep = append(make([]int, 0, len(seen.idx)), seen.idx[:i]...)
			}
			continue
		}
		if keep != nil {
			keep = append(keep, idx)
		}
	}
	switch {
	case keep == nil:
		return seen
	case len(keep) == 0:
		return nil
	}
	return &keySet{idx: keep}
}

// diff calls changed for each path seen by some root that is new in next, gone from it, or
// differs in size, modification time or mode, with the roots that see it.
func diff(prev, next snapshot, changed func(rel string, seen *keySet)) {
	for r, n := range next {
		if n.seen == nil {
			continue
		}
		if p, ok := prev[r]; !ok || p.size != n.size || p.mtime != n.mtime || p.mode != n.mode {
			changed(r, n.seen)
		}
	}
	for r, p := range prev {
		if _, ok := next[r]; !ok && p.seen != nil {
			changed(r, p.seen)
		}
	}
}
