// Package ui renders samship's terminal output: SAM CLI's fixed-width wrapped tables (change
// sets, stack events, outputs), key/value blocks, and colour that is used only on a terminal
// and never with NO_COLOR.
package ui

import (
	"fmt"
	"io"
	"strings"
)

// Painter colours text when On.
type Painter struct{ On bool }

func (p Painter) wrap(code, s string) string {
	if !p.On || s == "" {
		return s
	}
	return "\x1b[" + code + "m" + s + "\x1b[0m"
}

// Bold, Yellow, Green and Red style s.
func (p Painter) Bold(s string) string   { return p.wrap("1", s) }
func (p Painter) Yellow(s string) string { return p.wrap("33", s) }
func (p Painter) Green(s string) string  { return p.wrap("32", s) }
func (p Painter) Red(s string) string    { return p.wrap("31", s) }

// Table writes one of SAM CLI's tables: width = max(terminal columns, 100) rounded down to a
// multiple of the column count; the rule is width-3 dashes; every column but the last is
// usable/n wide plus a separating space, the last one narrower by one; cells wrap at two less
// than their column.
type Table struct {
	w      io.Writer
	p      Painter
	cols   []int
	usable int
}

// NewTable prints the title, rules and header of a table and returns it for rows.
func NewTable(w io.Writer, p Painter, termWidth int, title string, headers ...string) *Table {
	width := max(termWidth, 100)
	n := len(headers)
	width -= width % n
	usable := width - 1 - 2
	per := usable / n
	t := &Table{w: w, p: p, usable: usable}
	for i := range headers {
		c := per
		if i == n-1 {
			c = per - 1
		}
		t.cols = append(t.cols, c)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, p.Bold(title))
	t.Rule()
	fmt.Fprintln(w, p.Yellow(t.format(headers)))
	t.Rule()
	return t
}

// Rule prints a line of dashes.
func (t *Table) Rule() { fmt.Fprintln(t.w, t.p.Yellow(strings.Repeat("-", t.usable))) }

// Row prints one row, wrapping cells; paint colours each printed line (nil for none).
func (t *Table) Row(paint func(string) string, cells ...string) {
	wrapped := make([][]string, len(cells))
	lines := 1
	for i, c := range cells {
		wrapped[i] = Wrap(c, t.cols[i]-2)
		lines = max(lines, len(wrapped[i]))
	}
	for l := 0; l < lines; l++ {
		row := make([]string, len(cells))
		for i := range cells {
			if l < len(wrapped[i]) {
				row[i] = wrapped[i][l]
			}
		}
		s := t.format(row)
		if paint != nil {
			s = paint(s)
		}
		fmt.Fprintln(t.w, s)
	}
}

func (t *Table) format(cells []string) string {
	var b strings.Builder
	for i, c := range cells {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(c)
		if pad := t.cols[i] - len(c); pad > 0 {
			b.WriteString(strings.Repeat(" ", pad))
		}
	}
	return b.String()
}

// Wrap breaks s into lines of at most width characters, at spaces where it can and inside
// words where it must (as Python's textwrap does for SAM CLI).
func Wrap(s string, width int) []string {
	if width < 1 {
		width = 1
	}
	var lines []string
	var cur string
	for _, word := range strings.Fields(s) {
		for len(word) > 0 {
			switch {
			case cur == "" && len(word) <= width:
				cur, word = word, ""
			case cur != "" && len(cur)+1+len(word) <= width:
				cur, word = cur+" "+word, ""
			case cur != "":
				lines, cur = append(lines, cur), ""
			default: // a word longer than the line
				lines, word = append(lines, word[:width]), word[width:]
			}
		}
	}
	if cur != "" || len(lines) == 0 {
		lines = append(lines, cur)
	}
	return lines
}
