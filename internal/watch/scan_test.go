package watch

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// changes walks g again and lists what changed since its last walk, as "rel key,key".
func changes(t testing.TB, g *group) []string {
	t.Helper()
	next, err := g.walk(g.snap)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	diff(g.snap, next, func(rel string, seen *keySet) {
		out = append(out, fmt.Sprint(rel, " ", g.keys(seen)))
	})
	g.snap = next
	slices.Sort(out)
	return out
}

// A path's roots are remembered from the walk that first saw it: Ignore is asked once per
// path and root, and a root that ignores a directory is not asked about what is inside.
func TestWalkAsksIgnoreOncePerPath(t *testing.T) {
	dir := t.TempDir()
	for _, rel := range []string{"a/x", "a/y", "b/z"} {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	asked := map[string]int{}
	ignorer := func(key, skip string) Root {
		return Root{Key: key, Dir: dir, Ignore: func(rel string) bool {
			asked[key+":"+rel]++
			return rel == skip
		}}
	}
	groups, err := groupRoots([]Root{ignorer("NoA", "a"), ignorer("NoB", "b")})
	if err != nil {
		t.Fatal(err)
	}
	g := groups[0]
	got := changes(t, g)
	want := []string{"a [NoB]", "a/x [NoB]", "a/y [NoB]", "b [NoA]", "b/z [NoA]"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("first walk of %s: changes (-want +got):\n%s", dir, diff)
	}
	if got := changes(t, g); got != nil {
		t.Errorf("second walk of %s: changes = %v, want none", dir, got)
	}
	wantAsked := map[string]int{"NoA:a": 1, "NoA:b": 1, "NoA:b/z": 1, "NoB:a": 1, "NoB:a/x": 1, "NoB:a/y": 1, "NoB:b": 1}
	if diff := cmp.Diff(wantAsked, asked); diff != "" {
		t.Errorf("Ignore calls over two walks of %s (-want +got):\n%s", dir, diff)
	}
}

// BenchmarkWalk is one poll of a 5,000-file tree (50 directories of 100 files) with nothing
// changed: what a watch costs every Interval.
func BenchmarkWalk(b *testing.B) {
	dir := b.TempDir()
	for d := range 50 {
		sub := filepath.Join(dir, fmt.Sprintf("d%02d", d))
		if err := os.Mkdir(sub, 0o755); err != nil {
			b.Fatal(err)
		}
		for f := range 100 {
			if err := os.WriteFile(filepath.Join(sub, fmt.Sprintf("f%03d.py", f)), []byte("x"), 0o644); err != nil {
				b.Fatal(err)
			}
		}
	}
	groups, err := groupRoots([]Root{{Key: "Fn", Dir: dir, Ignore: func(rel string) bool { return rel == ".samship" }}})
	if err != nil {
		b.Fatal(err)
	}
	g := groups[0]
	if changes(b, g); len(g.snap) != 5050 {
		b.Fatalf("walk of %s saw %d paths, want 5050", dir, len(g.snap))
	}
	b.ReportAllocs()
	for b.Loop() {
		if got := changes(b, g); got != nil {
			b.Fatalf("walk of an unchanged %s: changes = %v", dir, got)
		}
	}
}
