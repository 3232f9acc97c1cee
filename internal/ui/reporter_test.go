package ui

import (
	"strings"
	"testing"
	"time"
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

// TestPushes: in a log each image gets a line when it is done; on a terminal the lines are
// redrawn in place and the results follow in the functions' order; both end with the totals.
func TestPushes(t *testing.T) {
	clock := time.Date(2026, 12, 2, 7, 0, 0, 0, time.UTC)
	now := func() time.Time { clock = clock.Add(250 * time.Millisecond); return clock }
	push := func(terminal bool) string {
		var b strings.Builder
		r := &Reporter{Err: &b, Terminal: terminal}
		p := r.Pushes([]string{"B", "A"}, 4, false, now)
		up := p.Sending("app/a", 2_000_000)
		up.Add(1_500_000)
		up.Done(false)
		p.Result("A", "a.tar", "reg/app/a:t", true)
		p.Result("B", "b.tar", "reg/app/b:t", false)
		p.Done()
		return b.String()
	}
	log := push(false)
	if want := "\n\tPushing the images of 2 functions (4 at a time)\n" +
		"\tPushed A (a.tar) to reg/app/a:t\n\tAlready there: B (b.tar) at reg/app/b:t\n" +
		"\tImages: 1 pushed, 1 already there, 1.5 MB sent (0.25 s)\n"; log != want {
		t.Errorf("log:\n%q\nwant\n%q", log, want)
	}
	term := push(true)
	for _, want := range []string{"\x1b[2K\tapp/a", "1.5 MB / 2.0 MB  pushed\n",
		"\tAlready there: B at reg/app/b:t\n\tPushed A at reg/app/a:t\n\tImages: 1 pushed, 1 already there, 1.5 MB sent"} {
		if !strings.Contains(term, want) {
			t.Errorf("terminal output lacks %q:\n%q", want, term)
		}
	}
}

// TestHold: lines written while a question is on the screen wait for the answer, and the
// live lines are drawn again below them.
func TestHold(t *testing.T) {
	var b strings.Builder
	r := &Reporter{Err: &b}
	r.setLive(func() []string { return []string{"live"} })
	r.redrawLive()
	r.Hold()
	r.Note("while asked")
	r.redrawLive()
	b.WriteString("Question? y\n") // the prompt writes to the terminal itself
	r.Release()
	if got, want := b.String(), "\x1b[2Klive\nQuestion? y\n\twhile asked\n\x1b[2Klive\n"; got != want {
		t.Errorf("screen %q, want %q", got, want)
	}
}
