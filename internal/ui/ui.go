// Package ui owns what samship shows: a Reporter that deploy, guided, teardown and the
// pusher report their events to, rendering SAM CLI's wording in one place (the plan, the
// "Deploying with following values" block, change sets, stack events, outputs, push
// progress, delete lines); SAM CLI's fixed-width wrapped tables; terminal detection; and
// colour that is used only on a terminal and never with NO_COLOR.
package ui

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

// Plural returns one when n is 1, else many.
func Plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
