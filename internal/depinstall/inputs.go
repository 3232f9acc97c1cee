package depinstall

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// Inputs returns the image paths (absolute, cleaned, sorted) of the files the install reads
// from the stage: requirement and constraint files and the files they include with -r/-c,
// recursively, local wheels, archives and directories named in them and --find-links
// directories; package.json, package-lock.json, npm-shrinkwrap.json and .npmrc in the
// working directory and the file: dependencies named in them. Only files under
// opts.Root count; a dependency outside it is the base image's or missing, and the tool says
// which when it runs. A requirement file that names an absolute path is an error: pip here
// would read this machine's file, not the image's.
func (in *Install) Inputs(opts RunOptions) ([]string, error) {
	c := collector{root: opts.Root, seen: map[string]bool{}}
	var err error
	if in.Tool == "pip" {
		err = in.pipInputs(&c, opts.Workdir)
	} else {
		err = in.npmInputs(&c, opts.Workdir)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", in, err)
	}
	sort.Strings(c.files)
	return c.files, nil
}

// collector gathers input files once each.
type collector struct {
	root  string
	seen  map[string]bool
	files []string
}

// add records the image path p, a file or every file under a directory, when it is under
// the root; it reports whether p exists there.
func (c *collector) add(p string) (bool, error) {
	p = path.Clean(p)
	host := filepath.Join(c.root, filepath.FromSlash(p))
	if _, err := os.Lstat(host); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return false, nil
		}
		return false, err
	}
	err := filepath.WalkDir(host, func(h string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(c.root, h)
		if err != nil {
			return err
		}
		ip := "/" + filepath.ToSlash(rel)
		if !c.seen[ip] {
			c.seen[ip] = true
			c.files = append(c.files, ip)
		}
		return nil
	})
	return true, err
}

func imagePath(workdir, p string) string {
	if path.IsAbs(p) {
		return path.Clean(p)
	}
	return path.Join("/", workdir, p)
}

func (in *Install) pipInputs(c *collector, workdir string) error {
	for _, r := range append(append([]string{}, in.requirements...), in.constraints...) {
		if err := c.requirementFile(imagePath(workdir, r), workdir); err != nil {
			return err
		}
	}
	for _, f := range in.findLinks {
		if _, err := c.add(imagePath(workdir, f)); err != nil {
			return err
		}
	}
	return nil
}

// requirementFile adds a requirement file and what it names. Nested -r/-c paths are
// relative to the file; other paths to the working directory, where pip runs.
func (c *collector) requirementFile(p, workdir string) error {
	if c.seen[p] {
		return nil
	}
	b, err := os.ReadFile(filepath.Join(c.root, filepath.FromSlash(p)))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("read %s: not among the files the Dockerfile put in the image", p)
		}
		return fmt.Errorf("read %s: %w", p, err)
	}
	if _, err := c.add(p); err != nil {
		return err
	}
	for _, rl := range requirementLines(b) {
		line := rl.text
		where := fmt.Sprintf("%s:%d", p, rl.n)
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		opt, val := fields[0], ""
		if strings.HasPrefix(opt, "--") {
			opt, val, _ = strings.Cut(opt, "=")
		} else if len(opt) > 2 && opt[0] == '-' {
			opt, val = opt[:2], opt[2:]
		}
		if val == "" && len(fields) > 1 && strings.HasPrefix(opt, "-") {
			val = fields[1]
		}
		switch opt {
		case "-r", "--requirement", "-c", "--constraint":
			if path.IsAbs(val) {
				return fmt.Errorf("%s: absolute path %s would be read from this machine", where, val)
			}
			if err := c.requirementFile(path.Join(path.Dir(p), val), workdir); err != nil {
				return err
			}
			continue
		case "-e", "--editable", "-f", "--find-links":
			line = val
		}
		if local, ok := localPath(line); ok {
			if path.IsAbs(local) {
				return fmt.Errorf("%s: absolute path %s would be read from this machine", where, local)
			}
			if _, err := c.add(path.Join("/", workdir, local)); err != nil {
				return err
			}
		}
	}
	return nil
}

// reqLine is a logical line of a requirement file and the number of its first line.
type reqLine struct {
	n    int
	text string
}

// requirementLines is a requirement file's logical lines in order, comments removed and
// continuations joined.
func requirementLines(b []byte) []reqLine {
	var lines []reqLine
	var cur strings.Builder
	start := 0
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if cur.Len() == 0 {
			start = n
		}
		if strings.HasSuffix(line, `\`) {
			cur.WriteString(strings.TrimSuffix(line, `\`))
			continue
		}
		cur.WriteString(line)
		l := cur.String()
		cur.Reset()
		if i := strings.Index(l, "#"); i == 0 || i > 0 && (l[i-1] == ' ' || l[i-1] == '\t') {
			l = l[:i]
		}
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, reqLine{start, l})
		}
	}
	return lines
}

// localPath is the path a requirement line names on disk, if it names one: a path
// (./x, ../x, /x, x/y), a file: URL, or "name @ file:…".
func localPath(line string) (string, bool) {
	if _, url, ok := strings.Cut(line, "@"); ok && !strings.Contains(line[:strings.Index(line, "@")], "/") {
		line = strings.TrimSpace(url)
	}
	line, _, _ = strings.Cut(line, ";") // markers
	line = strings.TrimSpace(line)
	if rest, ok := strings.CutPrefix(line, "file:"); ok {
		rest = strings.TrimPrefix(rest, "//")
		return rest, rest != ""
	}
	if strings.Contains(line, "://") {
		return "", false
	}
	if strings.HasPrefix(line, ".") || strings.Contains(line, "/") || isArchive(line) {
		return line, true
	}
	return "", false
}

// npmFiles are the files in the working directory npm reads.
var npmFiles = []string{"package.json", "package-lock.json", "npm-shrinkwrap.json", ".npmrc"}

func (in *Install) npmInputs(c *collector, workdir string) error {
	for _, f := range npmFiles {
		p := path.Join("/", workdir, f)
		ok, err := c.add(p)
		if err != nil {
			return err
		}
		if !ok && f == "package.json" {
			return fmt.Errorf("read %s: not among the files the Dockerfile put in the image", p)
		}
		if !ok || f == ".npmrc" {
			continue
		}
		deps, err := fileDependencies(filepath.Join(c.root, filepath.FromSlash(p)))
		if err != nil {
			return fmt.Errorf("read %s: %w", p, err)
		}
		for _, d := range deps {
			if path.IsAbs(d) {
				return fmt.Errorf("%s: absolute file: path %s would be read from this machine", p, d)
			}
			if _, err := c.add(imagePath(workdir, d)); err != nil {
				return err
			}
		}
	}
	return nil
}

// fileDependencies are the file: paths a package.json's dependencies or a lockfile's
// packages name, relative to its directory.
func fileDependencies(file string) ([]string, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var doc struct {
		Dependencies         map[string]string `json:"dependencies"`
		DevDependencies      map[string]string `json:"devDependencies"`
		OptionalDependencies map[string]string `json:"optionalDependencies"`
		PeerDependencies     map[string]string `json:"peerDependencies"`
		Packages             map[string]struct {
			Resolved string `json:"resolved"`
		} `json:"packages"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, err
	}
	var out []string
	for _, m := range []map[string]string{doc.Dependencies, doc.DevDependencies, doc.OptionalDependencies, doc.PeerDependencies} {
		for _, v := range m {
			if rest, ok := strings.CutPrefix(v, "file:"); ok {
				out = append(out, rest)
			}
		}
	}
	for _, p := range doc.Packages {
		if rest, ok := strings.CutPrefix(p.Resolved, "file:"); ok {
			out = append(out, rest)
		}
	}
	sort.Strings(out)
	return out, nil
}
