package ui

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/samship/samship/internal/cfn"
)

// StackView shows one stack operation as CloudFormation works through it (a cfn.Follower),
// after AWS Copilot's stack view. On a terminal a header line (the operation, the stack's
// status, the time so far) and a line per resource (its status and its own time) are redrawn
// in place as events come; when the operation ends they are written once, final, each failed
// resource with CloudFormation's reason under it, and nothing redrawn stays behind.
type StackView struct {
	r         *Reporter
	stack, op string
	now       func() time.Time
	start     time.Time
	area      *liveArea
	stop      chan struct{}

	mu    sync.Mutex
	root  string // the stack's latest status
	rows  []*resourceRow
	byID  map[string]*resourceRow
	lag   time.Duration // the least (receipt - event time) seen: CloudFormation's clock to ours
	known bool          // lag is measured
	frame int
}

type resourceRow struct {
	id, typ, status string
	failure         string    // "update failed: <reason>", kept through a rollback
	start, end      time.Time // CloudFormation's times; end is zero while in progress
}

// maxLiveResources is how many resource lines the live view shows at most; the rest are
// counted on one line (all of them are written when the operation ends).
const maxLiveResources = 10

// FollowStack starts the live view of operation ("create", "update" or "delete") on stack.
func (r *Reporter) FollowStack(stack, op string) cfn.Follower { return r.followStack(stack, op) }

func (r *Reporter) followStack(stack, op string) *StackView {
	now := r.Now
	if now == nil {
		now = time.Now
	}
	v := &StackView{r: r, stack: stack, op: op, now: now, start: now(), byID: map[string]*resourceRow{}, stop: make(chan struct{})}
	v.area = r.addLive(v.render)
	r.redrawLive()
	if r.Terminal { // the clocks and spinner move only where lines are redrawn
		go v.tick()
	}
	return v
}

// tick redraws the view four times a second, for its clocks and spinner.
func (v *StackView) tick() {
	t := time.NewTicker(250 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-v.stop:
			return
		case <-t.C:
			v.mu.Lock()
			v.frame++
			v.mu.Unlock()
			v.r.redrawLive()
		}
	}
}

// Event implements cfn.Follower.
func (v *StackView) Event(e cfn.Event) {
	v.mu.Lock()
	if lag := v.now().Sub(e.Time); !v.known || lag < v.lag {
		v.lag, v.known = lag, true
	}
	if e.IsRoot() {
		v.root = e.Status
		v.mu.Unlock()
		v.r.redrawLive()
		return
	}
	row := v.byID[e.LogicalID]
	if row == nil {
		row = &resourceRow{id: e.LogicalID, typ: e.Type, start: e.Time}
		v.byID[e.LogicalID] = row
		v.rows = append(v.rows, row)
	}
	if inProgress(e.Status) {
		if !row.end.IsZero() || row.status == "" { // begun again (a rollback) or at first
			row.start, row.end = e.Time, time.Time{}
		}
	} else {
		row.end = e.Time
	}
	row.status = e.Status
	if e.Failed() && e.Reason != "" && !strings.Contains(e.Reason, "cancelled") {
		row.failure = words(e.Status, "") + ": " + e.Reason
	}
	v.mu.Unlock()
	v.r.redrawLive()
}

// End implements cfn.Follower: the redrawn lines give way to the final ones.
func (v *StackView) End(st *cfn.Stack, err error) {
	close(v.stop)
	v.mu.Lock()
	if st != nil {
		v.root = st.Status
	} else if cfn.IsNotFound(err) && v.op == "delete" {
		v.root = "DELETE_COMPLETE"
	}
	lines := v.lines(v.r.width(), false)
	v.mu.Unlock()
	v.r.endLive(v.area)
	v.r.write(strings.Join(lines, "\n") + "\n")
}

func (v *StackView) render(width int) []string {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.lines(width, true)
}

// lines renders the view; live lines fit width and show at most maxLiveResources
// resources (in progress and failed ones first).
func (v *StackView) lines(width int, live bool) []string {
	p := v.r.Paint
	now := v.now()
	mark, paint := v.mark(v.root, live)
	lead := mark + " " + v.verb() + " stack "
	head := narrowed(lead, v.stack, fmt.Sprintf("  [%s]", words(v.root, "starting")), "  "+seconds(now.Sub(v.start)), width, live)
	out := []string{fit(head, width, live, paint)}
	rows := v.rows
	more := 0
	if live && len(rows) > maxLiveResources {
		rows, more = v.busiest(maxLiveResources-1), len(rows)-(maxLiveResources-1)
	}
	idw, typw := 0, 0
	for _, row := range rows {
		idw, typw = max(idw, len(row.id)), max(typw, len(row.typ))
	}
	if live { // the final lines are written whole
		idw, typw = min(idw, 40), min(typw, 40)
	}
	for _, row := range rows {
		el := row.end.Sub(row.start)
		if row.end.IsZero() {
			el = max(0, now.Add(-v.lag).Sub(row.start))
		}
		mark, paint := v.mark(row.status, live)
		out = append(out, fit(resourceLine(mark, row, el, idw, typw, width, live), width, live, paint))
		if row.failure != "" {
			out = append(out, fit("        "+row.failure, width, live, p.Red))
		}
	}
	if more > 0 {
		out = append(out, fit(fmt.Sprintf("    … %d more %s", more, Plural(more, "resource", "resources")), width, live, nil))
	}
	return out
}

// resourceLine is "    ✔ LogicalId  Type  [status]  1.2s", the columns padded to idw and
// typw; a live line too wide for the terminal drops the type, then the status, and
// shortens the id.
func resourceLine(mark string, row *resourceRow, el time.Duration, idw, typw, width int, live bool) string {
	status, secs := fmt.Sprintf("  [%s]", words(row.status, "pending")), "  "+seconds(el)
	lead := "    " + mark + " "
	line := fmt.Sprintf("%s%-*s  %-*s%s%s", lead, idw, Shorten(row.id, idw), typw, Shorten(row.typ, typw), status, secs)
	if !live || columns(line) < width {
		return line
	}
	return narrowed(lead, row.id, status, secs, width, live)
}

// narrowed is lead+name+status+secs; live, when wider than the terminal, without status,
// and name shortened in the middle (to no less than 8 columns) to fit.
func narrowed(lead, name, status, secs string, width int, live bool) string {
	if !live {
		return lead + name + status + secs
	}
	if columns(lead+name+status+secs) >= width && columns(lead+status+secs)+8 >= width {
		status = ""
	}
	return lead + Shorten(name, max(8, width-1-columns(lead+status+secs))) + status + secs
}

// busiest returns up to n rows, those in progress or failed first, in their order.
func (v *StackView) busiest(n int) []*resourceRow {
	var first, rest []*resourceRow
	for _, row := range v.rows {
		if row.end.IsZero() || strings.HasSuffix(row.status, "_FAILED") {
			first = append(first, row)
		} else {
			rest = append(rest, row)
		}
	}
	all := append(first, rest...)
	return all[:min(n, len(all))]
}

// verb says where the operation is: "Creating" while it goes, "Created" when it succeeded,
// "Failed to create" when it failed or rolled back.
func (v *StackView) verb() string {
	switch {
	case v.root == "" || inProgress(v.root):
		return map[string]string{"create": "Creating", "update": "Updating", "delete": "Deleting"}[v.op]
	case cfn.Succeeded(v.root) || v.root == "DELETE_COMPLETE":
		return map[string]string{"create": "Created", "update": "Updated", "delete": "Deleted"}[v.op]
	}
	return "Failed to " + v.op
}

// mark is a status's sign and colour: a spinner while in progress, ✔ done, ✘ failed or
// rolled back.
func (v *StackView) mark(status string, live bool) (string, func(string) string) {
	p := v.r.Paint
	switch {
	case status == "" || inProgress(status) && !strings.Contains(status, "ROLLBACK"):
		if !live {
			return "-", p.Yellow
		}
		return spinner[v.frame%len(spinner)], p.Yellow
	case strings.HasSuffix(status, "_FAILED") || strings.Contains(status, "ROLLBACK"):
		return "✘", p.Red
	}
	return "✔", p.Green
}

var spinner = []string{"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"}

func inProgress(status string) bool { return strings.HasSuffix(status, "_IN_PROGRESS") }

// words renders a status as Copilot does: "CREATE_IN_PROGRESS" as "create in progress".
func words(status, none string) string {
	if status == "" {
		return none
	}
	return strings.ToLower(strings.ReplaceAll(status, "_", " "))
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.1fs", max(0, d.Seconds())) }

// fit cuts a live line to width-1 columns, keeping its start (a final one is written
// whole), then paints it.
func fit(s string, width int, live bool, paint func(string) string) string {
	if r := []rune(s); live && len(r) > width-1 {
		s = string(r[:max(0, width-2)]) + "…"
	}
	if paint != nil {
		s = paint(s)
	}
	return s
}
