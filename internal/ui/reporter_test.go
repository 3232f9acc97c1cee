package ui

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestColourOnlyOnATerminal(t *testing.T) {
	tests := map[string]struct {
		terminal bool
		env      map[string]string
		want     bool
	}{
		"terminal":       {terminal: true, want: true},
		"NO_COLOR":       {terminal: true, env: map[string]string{"NO_COLOR": "1"}},
		"dumb terminal":  {terminal: true, env: map[string]string{"TERM": "dumb"}},
		"not a terminal": {},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			r := NewReporter(nil, nil, tc.terminal, 80, func(k string) string { return tc.env[k] })
			if r.Paint.On != tc.want {
				t.Errorf("colour %v, want %v", r.Paint.On, tc.want)
			}
		})
	}
}

// TestPushes: each image's line comes when it is in place ("Already there" at once); on a
// terminal the images uploading are drawn below, then erased; both end with the totals.
func TestPushes(t *testing.T) {
	push := func(terminal bool) string {
		clock := time.Date(2026, 12, 2, 7, 0, 0, 0, time.UTC)
		now := func() time.Time { return clock }
		var b strings.Builder
		r := &Reporter{Err: &b, Terminal: terminal, Width: 80}
		p := r.Pushes([]string{"B", "A"}, 4, false, now).(*Pushes)
		p.Result("B", "b.tar", "reg/app/b:t", "sha256:x", false)
		up := p.Sending("app/a", 2_000_000)
		clock = clock.Add(500 * time.Millisecond)
		up.Add(1_500_000)
		p.draw(true)
		clock = clock.Add(500 * time.Millisecond)
		up.Done(false)
		p.Result("A", "a.tar", "reg/app/a:t", "sha256:x", true)
		p.Done()
		return b.String()
	}
	log := push(false)
	if want := "\n\tPushing the images of 2 functions (4 at a time)\n" +
		"\tAlready there: B (b.tar) at reg/app/b:t\n\tPushed A (a.tar) to reg/app/a:t\n" +
		"\tImages: 1 pushed, 1 already there, 1.5 MB sent (1.00 s)\n"; log != want {
		t.Errorf("log:\n%q\nwant\n%q", log, want)
	}
	term := push(true)
	for _, want := range []string{"\tAlready there: B (b.tar) at reg/app/b:t\n\x1b[2K  app/a  1.5/2.0 MB   75%  3.0 MB/s  0s left\n",
		"\x1b[1A\x1b[J\tPushed A",
		"\tPushed A (a.tar) to reg/app/a:t\n\tImages: 1 pushed, 1 already there, 1.5 MB sent"} {
		if !strings.Contains(term, want) {
			t.Errorf("terminal output lacks %q:\n%q", want, term)
		}
	}
}

// TestProgressLineFits: a progress line never exceeds the terminal's width, however long the
// repository; the middle of the name gives way.
func TestProgressLineFits(t *testing.T) {
	start := time.Date(2026, 12, 2, 7, 0, 0, 0, time.UTC)
	u := &upload{repo: "my-long-application-name-production" + strings.Repeat("x", 40) + "/hellofunction19d43fc4repo", total: 471_900_000, started: start}
	u.sent.Store(123_400_000)
	for _, w := range []int{80, 60, 40, 200} {
		l := u.line(start.Add(10*time.Second), w)
		if n := utf8.RuneCountInString(l); n > w-1 && w < 100 {
			t.Errorf("width %d: line of %d columns: %q", w, n, l)
		}
		if !strings.Contains(l, "123.4/471.9 MB") || !strings.HasSuffix(strings.Fields(l)[0], "repo") || w >= 80 && !strings.Contains(l, "26%  12.3 MB/s  28s left") {
			t.Errorf("width %d: %q lacks the figures or the name's end", w, l)
		}
	}
}

func TestShorten(t *testing.T) {
	for _, tc := range []struct {
		s    string
		n    int
		want string
	}{{"abcdef", 10, "abcdef"}, {"abcdefghij", 5, "ab…ij"}, {"abcdefghij", 1, "a"}, {"abc", 0, ""}} {
		if got := Shorten(tc.s, tc.n); got != tc.want {
			t.Errorf("Shorten(%q, %d) = %q, want %q", tc.s, tc.n, got, tc.want)
		}
	}
}

// TestResizeErasesWrappedLines: after the terminal narrows, a live line drawn wider than it
// is now takes more rows, and the erase goes up that many.
func TestResizeErasesWrappedLines(t *testing.T) {
	var b strings.Builder
	width := 100
	r := &Reporter{Err: &b, WidthNow: func() int { return width }}
	r.addLive(func(int) []string { return []string{strings.Repeat("x", 90)} })
	r.redrawLive()
	width = 40
	b.Reset()
	r.Note("next")
	if !strings.HasPrefix(b.String(), "\x1b[3A\x1b[J\tnext\n") {
		t.Errorf("after the resize: %q, want 3 rows erased", b.String())
	}
}

// TestHold: the live lines are erased while a question is on the screen, lines written
// meanwhile wait for the answer, and the live lines are drawn again below them.
func TestHold(t *testing.T) {
	var b strings.Builder
	r := &Reporter{Err: &b}
	r.addLive(func(int) []string { return []string{"live"} })
	r.redrawLive()
	r.Hold()
	r.Note("while asked")
	r.redrawLive()
	b.WriteString("Question? y\n") // the prompt writes to the terminal itself
	r.Release()
	if got, want := b.String(), "\x1b[2Klive\n\x1b[1A\x1b[JQuestion? y\n\twhile asked\n\x1b[2Klive\n"; got != want {
		t.Errorf("screen %q, want %q", got, want)
	}
}

// TestPushesReading: a read from an engine is followed like an upload on a terminal, ends with
// a line saying its size, time and how much of it was compressed, and is not counted as sent.
func TestPushesReading(t *testing.T) {
	read := func(terminal bool) string {
		clock := time.Date(2026, 12, 4, 7, 0, 0, 0, time.UTC)
		now := func() time.Time { return clock }
		var b strings.Builder
		r := &Reporter{Err: &b, Terminal: terminal, Width: 80}
		p := r.Pushes([]string{"A"}, 8, false, now).(*Pushes)
		rd := p.Reading([]string{"app:v1"}, 100_000_000)
		clock = clock.Add(time.Second)
		rd.Add(40_000_000)
		p.draw(true)
		rd.Add(60_000_000)
		rd.Compressed(3_000_000)
		clock = clock.Add(time.Second)
		rd.Done(false)
		up := p.Sending("app/a", 3_000_000)
		up.Add(3_000_000)
		up.Done(false)
		p.Result("A", "app:v1", "reg/app/a:t", "sha256:x", true)
		p.Done()
		return b.String()
	}
	log := read(false)
	if want := "\n\tPushing the images of 1 function (8 at a time)\n" +
		"\tRead app:v1 from the engine: 100.0 MB in 2.0 s, 3.0 MB of new layers compressed\n" +
		"\tPushed A (app:v1) to reg/app/a:t\n" +
		"\tImages: 1 pushed, 0 already there, 3.0 MB sent (2.00 s)\n"; log != want {
		t.Errorf("log:\n%q\nwant\n%q", log, want)
	}
	if term := read(true); !strings.Contains(term, "  reading app:v1  40.0/100.0 MB   40%  40.0 MB/s  2s left\n") {
		t.Errorf("terminal output lacks the reading line:\n%q", term)
	}
}
