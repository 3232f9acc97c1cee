package ui

import (
	"fmt"
	"io"
	"strings"
)

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

// Wrap breaks s into lines of at most width characters exactly as Python's textwrap.wrap
// does for SAM CLI's tables: runs of spaces inside a line are kept, lines break at spaces and
// after hyphens inside words, space at line ends is dropped, and a word longer than a line is
// cut (after its last hyphen that fits, if any).
func Wrap(s string, width int) []string {
	if width < 1 {
		width = 1
	}
	s = strings.NewReplacer("\t", " ", "\n", " ", "\r", " ", "\v", " ", "\f", " ").Replace(s)
	chunks := textChunks(s)
	var lines []string
	for len(chunks) > 0 {
		if len(lines) > 0 && strings.TrimSpace(chunks[0]) == "" {
			chunks = chunks[1:]
			continue
		}
		var cur []string
		n := 0
		for len(chunks) > 0 && n+len(chunks[0]) <= width {
			cur, n = append(cur, chunks[0]), n+len(chunks[0])
			chunks = chunks[1:]
		}
		if len(chunks) > 0 && len(chunks[0]) > width { // a word longer than any line
			c := chunks[0]
			end := width - n
			if h := strings.LastIndexByte(c[:end], '-'); h > 0 && strings.Trim(c[:h], "-") != "" {
				end = h + 1
			}
			cur = append(cur, c[:end])
			chunks[0] = c[end:]
		}
		if len(cur) > 0 && strings.TrimSpace(cur[len(cur)-1]) == "" {
			cur = cur[:len(cur)-1]
		}
		if len(cur) > 0 {
			lines = append(lines, strings.Join(cur, ""))
		}
	}
	if len(lines) == 0 {
		lines = []string{""}
	}
	return lines
}

// textChunks splits s like textwrap's wordsep_re: runs of spaces; an em-dash (two or more
// hyphens) between words; and words, which break after a hyphen that follows two letters (or
// letter-hyphen-letter) and precedes a letter, an optional hyphen and a letter.
func textChunks(s string) []string {
	at := func(i int) byte {
		if i < 0 || i >= len(s) {
			return 0
		}
		return s[i]
	}
	letter := func(i int) bool { c := at(i); return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' }
	word := func(i int) bool { c := at(i); return letter(i) || c >= '0' && c <= '9' }
	punct := func(i int) bool { return word(i) || strings.IndexByte("!\"'&.,?", at(i)) >= 0 && at(i) != 0 }
	dashes := func(i int) int { // length of a run of 2+ hyphens at i followed by a word char, else 0
		j := i
		for at(j) == '-' {
			j++
		}
		if j-i >= 2 && word(j) {
			return j - i
		}
		return 0
	}
	var out []string
	for p := 0; p < len(s); {
		if s[p] == ' ' {
			q := p
			for q < len(s) && s[q] == ' ' {
				q++
			}
			out, p = append(out, s[p:q]), q
			continue
		}
		if punct(p-1) && dashes(p) > 0 {
			n := dashes(p)
			out, p = append(out, s[p:p+n]), p+n
			continue
		}
		q := p + 1
		for ; q <= len(s); q++ {
			prev := q - 1 // the last character of the chunk so far
			if s[prev] == '-' && prev > p && (letter(prev-2) && letter(prev-1) || letter(prev-3) && at(prev-2) == '-' && letter(prev-1)) &&
				letter(q) && (letter(q+1) || at(q+1) == '-' && letter(q+2)) {
				break // hyphenated word: the chunk ends after the hyphen
			}
			if q == len(s) || s[q] == ' ' {
				break // end of word
			}
			if punct(q-1) && dashes(q) > 0 {
				break // em-dash follows
			}
		}
		out, p = append(out, s[p:q]), q
	}
	return out
}
