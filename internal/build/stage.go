package build

import (
	"context"
	"fmt"
	"os"
	"path"
	"sort"
	"strconv"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/samship/samship/internal/dockerfile"
)

// stage is one stage of a Dockerfile as it is built: its base, the configuration the
// instructions so far made, the layers they added, and the files this build put in it.
type stage struct {
	base      v1.Image
	cfg       *v1.ConfigFile
	mediaType types.MediaType // of the layers added
	layers    []*layer
	history   []v1.History // of this build's instructions, in order
	args      map[string]string
	cmdSet    bool
	// own holds the files this build put in the stage, by image path: what a dependency
	// install reads, and what COPY --from of the stage finds first.
	own map[string]file
	// installed are install layers whose files are not in own (they are in the layer).
	installed []*layer
	// pending are WORKDIR directories not yet in a layer: the stage's next layer holds them
	// (docker build creates a missing WORKDIR), or one of their own at its end.
	pending []string
}

// takePending returns the pending WORKDIR directories as layer entries, and forgets them.
func (s *stage) takePending() []file {
	var out []file
	for _, d := range s.pending {
		if _, ok := s.own[d]; !ok {
			out = append(out, file{Path: d, Mode: os.ModeDir | 0o755})
		}
	}
	s.pending = nil
	return out
}

func newStage(base v1.Image, platform string) (*stage, error) {
	cf, err := base.ConfigFile()
	if err != nil {
		return nil, err
	}
	cfg := cf.DeepCopy()
	if cfg.OS == "" {
		os, arch, _ := strings.Cut(platform, "/")
		cfg.OS, cfg.Architecture = os, arch
	}
	mt, err := base.MediaType()
	if err != nil {
		return nil, err
	}
	lt := types.DockerLayer
	if mt == types.OCIManifestSchema1 {
		lt = types.OCILayer
	}
	return &stage{base: base, cfg: cfg, mediaType: lt, args: map[string]string{}, own: map[string]file{}}, nil
}

// env looks name up as Docker expands words: the environment (ENV and the base's) over the
// stage's ARGs.
func (s *stage) env(name string) (string, bool) {
	for i := len(s.cfg.Config.Env) - 1; i >= 0; i-- {
		if k, v, _ := strings.Cut(s.cfg.Config.Env[i], "="); k == name {
			return v, true
		}
	}
	v, ok := s.args[name]
	return v, ok
}

// envMap is the environment a RUN sees.
func (s *stage) envMap() map[string]string {
	m := map[string]string{}
	for k, v := range s.args {
		m[k] = v
	}
	for _, e := range s.cfg.Config.Env {
		k, v, _ := strings.Cut(e, "=")
		m[k] = v
	}
	return m
}

func (s *stage) setEnv(key, value string) {
	for i, e := range s.cfg.Config.Env {
		if k, _, _ := strings.Cut(e, "="); k == key {
			s.cfg.Config.Env[i] = key + "=" + value
			return
		}
	}
	s.cfg.Config.Env = append(s.cfg.Config.Env, key+"="+value)
}

func (s *stage) workdir() string {
	if s.cfg.Config.WorkingDir == "" {
		return "/"
	}
	return s.cfg.Config.WorkingDir
}

// note records an instruction that changes only the configuration.
func (s *stage) note(text string) {
	s.history = append(s.history, v1.History{CreatedBy: text, EmptyLayer: true})
}

// add records a layer an instruction made.
func (s *stage) add(l *layer, text string) {
	s.layers = append(s.layers, l)
	s.history = append(s.history, v1.History{CreatedBy: text})
}

// shellForm is the command line of a shell-form CMD, ENTRYPOINT or RUN: the stage's SHELL
// (["/bin/sh", "-c"] by default) and the text.
func (s *stage) shellForm(text string) []string {
	sh := s.cfg.Config.Shell
	if len(sh) == 0 {
		sh = []string{"/bin/sh", "-c"}
	}
	return append(append([]string{}, sh...), text)
}

// owner parses --chown's value: numeric ids, or root; names would need the image's
// /etc/passwd, which only an engine reads.
func owner(where, v string) (uid, gid int, err error) {
	if v == "" {
		return 0, 0, nil
	}
	u, g, hasGroup := strings.Cut(v, ":")
	if uid, err = id(u); err != nil {
		return 0, 0, fmt.Errorf("%s: --chown=%s: %w", where, v, err)
	}
	gid = uid
	if hasGroup {
		if gid, err = id(g); err != nil {
			return 0, 0, fmt.Errorf("%s: --chown=%s: %w", where, v, err)
		}
	}
	return uid, gid, nil
}

func id(s string) (int, error) {
	if s == "root" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%q is not a numeric id (user and group names need an engine to read the image's /etc/passwd)", s)
	}
	return n, nil
}

// chmod parses --chmod's expanded value; 0 when not given.
func chmod(where, v string) (os.FileMode, error) {
	if v == "" {
		return 0, nil
	}
	m, err := dockerfile.ParseChmod(v)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", where, err)
	}
	return m, nil
}

// copyFiles lays entries placed from root (a context or a stage's files) into a layer.
func (s *stage) copyFiles(ctx context.Context, c *dockerfile.Copy, chown, chmodValue, root string, entries []dockerfile.Entry, cache layers) (made bool, err error) {
	uid, gid, err := owner(c.Where(), chown)
	if err != nil {
		return false, err
	}
	mode, err := chmod(c.Where(), chmodValue)
	if err != nil {
		return false, err
	}
	files := make([]file, 0, len(entries))
	for _, e := range entries {
		// Modes are normalised as ko and Jib do (0755 for directories and anything executable,
		// 0644 for the rest), so that a checkout under another umask builds the same digest.
		f := file{Path: path.Clean(e.Dest), Mode: 0o644, UID: uid, GID: gid}
		switch {
		case e.Dir || e.Root:
			f.Mode = os.ModeDir | 0o755
		case e.Symlink != "":
			f.Mode, f.Link = os.ModeSymlink|0o777, e.Symlink
		default:
			f.Src = root + "/" + e.Src
			if e.Mode&0o111 != 0 {
				f.Mode = 0o755
			}
		}
		if mode != 0 && !f.link() {
			f.Mode = f.Mode&os.ModeType | mode
		}
		files = append(files, f)
	}
	files = layerFiles(append(s.takePending(), files...))
	key, err := filesKey(files)
	if err != nil {
		return false, fmt.Errorf("%s: %w", c.Where(), err)
	}
	l, made, err := cache.make("copy-"+key+"-"+layerKind(s.mediaType), files, s.mediaType)
	if err != nil {
		return false, fmt.Errorf("%s: %w", c.Where(), err)
	}
	for _, f := range files {
		s.own[f.Path] = f
	}
	s.add(l, copyText(c))
	return made, ctx.Err()
}

// copyText is the history's line for a COPY or ADD.
func copyText(c *dockerfile.Copy) string {
	name := "COPY"
	if c.Add {
		name = "ADD"
	}
	if c.From != "" {
		name += " --from=" + c.From
	}
	return name + " " + strings.Join(append(append([]string{}, c.Sources...), c.Dest), " ")
}

// ownPaths lists the stage's own files in order.
func (s *stage) ownPaths() []string {
	out := make([]string, 0, len(s.own))
	for p := range s.own {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}
