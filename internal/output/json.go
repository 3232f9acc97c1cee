// Package output shows a run to whoever reads it: SAM CLI's text for people (package ui) or,
// with --output json, SAM CLI's JSON lines for programs (JSON, here). The flows report to
// interfaces of their own; both forms implement them.
package output

import (
	"encoding/json"
	"io"
	"strings"
	"sync"

	"github.com/samship/samship/internal/ui"
)

// JSON writes a run as JSON lines on stdout, one object per line, each with a "type": the
// records of SAM CLI's `--output json` (changeset, event, outputs, warning, info, result),
// and samship's own in the same style (plan, push). A run ends with one result record.
//
// The notices of a run are SAM CLI's and samship's text lines, each an info (or warning)
// record: a text Reporter, embedded, words them, and its lines become records.
type JSON struct {
	*ui.Reporter

	mu sync.Mutex // one record at a time
	w  io.Writer
	// document keeps the notices out: the run is its result alone.
	document bool
}

// NewJSON returns a JSON writer on w.
func NewJSON(w io.Writer) *JSON {
	j := &JSON{w: w}
	j.Reporter = j.words("info")
	return j
}

// NewDocument returns a JSON writer on w that writes the result record alone, for the
// commands whose run is one document (delete, prune, orphans).
func NewDocument(w io.Writer) *JSON {
	j := NewJSON(w)
	j.document = true
	return j
}

// words returns a text Reporter whose notices become records of kind.
func (j *JSON) words(kind string) *ui.Reporter {
	return ui.NewReporter(io.Discard, lineWriter(func(s string) { j.text(kind, s) }), false, 100, func(string) string { return "" })
}

// message is an info or warning record.
type message struct {
	Type    string `json:"type"`
	Message string `json:"message"`
}

// text makes a record of one notice the embedded Reporter wrote: its lines, trimmed, blank
// ones left out.
func (j *JSON) text(kind, s string) {
	var lines []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	if len(lines) > 0 && !j.document {
		j.record(message{Type: kind, Message: strings.Join(lines, "\n")})
	}
}

// warn words a notice as a warning: something kept, or not checked.
func (j *JSON) warn(f func(r *ui.Reporter)) { f(j.words("warning")) }

// Live is false: nothing is redrawn in JSON lines.
func (j *JSON) Live() bool { return false }

// Info and Warning write a notice of their own.
func (j *JSON) Info(s string)    { j.record(message{Type: "info", Message: s}) }
func (j *JSON) Warning(s string) { j.record(message{Type: "warning", Message: s}) }

// record writes v as one line.
func (j *JSON) record(v any) {
	if b, err := json.Marshal(v); err == nil {
		j.write(b)
	}
}

// write writes one record's line. A write that fails (a reader gone) ends the records: the
// run goes on, as it does when a terminal goes away.
func (j *JSON) write(b []byte) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.w != nil {
		if _, err := j.w.Write(append(b, '\n')); err != nil {
			j.w = nil
		}
	}
}

// lineWriter turns each write into a call of f: the text Reporter writes each notice whole.
type lineWriter func(s string)

func (f lineWriter) Write(b []byte) (int, error) { f(string(b)); return len(b), nil }
