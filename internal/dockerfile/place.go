package dockerfile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"
)

// Entry is one thing a COPY/ADD writes: Src is its path in the source filesystem, Dest the
// absolute path in the image.
type Entry struct {
	Src     string
	Dest    string
	Mode    fs.FileMode // from the source (type bits included: fs.ModeDir, fs.ModeSymlink)
	Dir     bool
	Symlink string // the link target when the entry is a symlink
	// Root marks the dest directory of a directory source: Docker creates it with the source
	// directory's Mode when the image lacks it, and leaves an existing one as it is.
	Root bool
}

// Place resolves a COPY/ADD's sources (already expanded; globs in path.Match syntax) in fsys
// (a context's FS or a stage's filesystem) to the entries to write, with Docker's rules: a
// directory source copies its contents (plus a Root entry for dest itself); the dest is a
// directory when it ends with "/" (or is "."), when there are several sources or when a glob
// matched several; a relative dest is relative to workdir. A source that is a symlink is
// followed; symlinks inside a copied directory stay links. Entries are sorted by Dest (a later
// source wins a Dest); the parent directories they need are Parents(entries). It fails, naming
// the source, when a source matches nothing or lies outside fsys ("../x").
func Place(fsys fs.FS, sources []string, dest, workdir string) ([]Entry, error) {
	if len(sources) == 0 {
		return nil, fmt.Errorf("copy to %s: no sources", dest)
	}
	var matched [][]string
	many := len(sources) > 1
	for _, src := range sources {
		m, err := match(fsys, src)
		if err != nil {
			return nil, err
		}
		many = many || len(m) > 1
		matched = append(matched, m)
	}
	destDir := many || strings.HasSuffix(dest, "/") || dest == "." || strings.HasSuffix(dest, "/.")
	if !path.IsAbs(dest) {
		wd := workdir
		if !path.IsAbs(wd) {
			wd = "/" + wd
		}
		dest = path.Join(wd, dest)
	}
	dest = path.Clean(dest)

	byDest := map[string]Entry{}
	for _, m := range matched {
		for _, src := range m {
			fi, err := fs.Stat(fsys, src)
			if err != nil {
				return nil, notFound(src, err)
			}
			if !fi.IsDir() {
				to := dest
				if destDir {
					to = path.Join(dest, path.Base(src))
				}
				byDest[to] = Entry{Src: src, Dest: to, Mode: fi.Mode()}
				continue
			}
			if _, ok := byDest[dest]; !ok {
				byDest[dest] = Entry{Src: src, Dest: dest, Mode: fi.Mode(), Dir: true, Root: true}
			}
			if err := walkInto(fsys, src, dest, byDest); err != nil {
				return nil, err
			}
		}
	}
	out := make([]Entry, 0, len(byDest))
	for _, e := range byDest {
		out = append(out, e)
	}
	slices.SortFunc(out, func(a, b Entry) int { return strings.Compare(a.Dest, b.Dest) })
	return out, nil
}

// match cleans src and expands it if it is a glob; it fails when nothing matches.
func match(fsys fs.FS, src string) ([]string, error) {
	clean := path.Clean(strings.TrimLeft(src, "/"))
	if clean == ".." || strings.HasPrefix(clean, "../") {
		return nil, fmt.Errorf("copy %s: the source is outside the build context", src)
	}
	if !strings.ContainsAny(clean, `*?[\`) {
		if _, err := fs.Stat(fsys, clean); err != nil {
			return nil, notFound(clean, err)
		}
		return []string{clean}, nil
	}
	m, err := fs.Glob(fsys, clean)
	if err != nil {
		return nil, fmt.Errorf("copy %s: %w", src, err)
	}
	if len(m) == 0 {
		return nil, notFound(clean, fs.ErrNotExist)
	}
	return m, nil
}

// notFound is Docker's message for a missing source.
func notFound(src string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return fmt.Errorf("COPY failed: file not found in build context or excluded by .dockerignore: stat %s: %w", src, err)
}

// walkInto adds the contents of directory src under dest.
func walkInto(fsys fs.FS, src, dest string, byDest map[string]Entry) error {
	return fs.WalkDir(fsys, src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("copy %s: %w", src, err)
		}
		if p == src {
			return nil
		}
		rel := strings.TrimPrefix(p, src+"/")
		if src == "." {
			rel = p
		}
		to := path.Join(dest, rel)
		fi, err := fs.Lstat(fsys, p)
		if err != nil {
			return fmt.Errorf("copy %s: %w", src, err)
		}
		e := Entry{Src: p, Dest: to, Mode: fi.Mode(), Dir: fi.IsDir()}
		if fi.Mode()&fs.ModeSymlink != 0 {
			if e.Symlink, err = fs.ReadLink(fsys, p); err != nil {
				return fmt.Errorf("copy %s: %w", src, err)
			}
		}
		byDest[to] = e
		return nil
	})
}

// Parents lists the directories the entries' Dests need, sorted, without "/" and without the
// Dests of Dir entries: the writer creates those the image lacks (0755, as Docker does).
func Parents(entries []Entry) []string {
	seen := map[string]bool{"/": true}
	for _, e := range entries {
		if e.Dir {
			seen[e.Dest] = true
		}
	}
	var out []string
	for _, e := range entries {
		for d := path.Dir(e.Dest); !seen[d]; d = path.Dir(d) {
			seen[d] = true
			out = append(out, d)
		}
	}
	slices.Sort(out)
	return out
}

// archiveMagic holds the first bytes of the compressions Docker's ADD unpacks.
var archiveMagic = [][]byte{
	{0x1f, 0x8b},                     // gzip
	[]byte("BZh"),                    // bzip2
	{0xfd, '7', 'z', 'X', 'Z', 0x00}, // xz
	{0x28, 0xb5, 0x2f, 0xfd},         // zstd
}

// IsArchive reports whether the regular file name in fsys is one Docker's ADD would unpack: a
// tar (by its header), or a gzip, bzip2, xz or zstd stream (assumed to hold a tar). An ADD of
// such a source is Unsupported("ADD of an archive") for samship.
func IsArchive(fsys fs.FS, name string) (bool, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return false, fmt.Errorf("check archive %s: %w", name, err)
	}
	defer f.Close()
	head := make([]byte, 512)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return false, fmt.Errorf("check archive %s: %w", name, err)
	}
	head = head[:n]
	for _, m := range archiveMagic {
		if bytes.HasPrefix(head, m) {
			return true, nil
		}
	}
	return len(head) >= 262 && string(head[257:262]) == "ustar", nil
}
