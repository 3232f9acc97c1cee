package testenv

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"
)

// Latency is how long CloudFormation takes, on AWS, for the operations a deploy waits for;
// moto finishes each before it answers.
type Latency struct {
	ChangeSet time.Duration // from CreateChangeSet until the change set is ready
	Companion time.Duration // a create, update or delete of a *-CompanionStack
	Bucket    time.Duration // of the managed bucket stack aws-sam-cli-managed-default
	Stack     time.Duration // of any other stack, a change set's execution included
}

// AWSLike are the times issue 11 measured CloudFormation taking: change set 4 s, companion
// stack 10 s, managed bucket stack 15 s, application stack 20 s.
var AWSLike = Latency{ChangeSet: 4 * time.Second, Companion: 10 * time.Second, Bucket: 15 * time.Second, Stack: 20 * time.Second}

// Scaled returns l with every time multiplied by f (tests run AWS's schedule in less time).
func (l Latency) Scaled(f float64) Latency {
	s := func(d time.Duration) time.Duration { return time.Duration(float64(d) * f) }
	return Latency{ChangeSet: s(l.ChangeSet), Companion: s(l.Companion), Bucket: s(l.Bucket), Stack: s(l.Stack)}
}

func (l Latency) of(stack string) time.Duration {
	switch {
	case strings.HasSuffix(stack, "-CompanionStack"):
		return l.Companion
	case stack == "aws-sam-cli-managed-default":
		return l.Bucket
	}
	return l.Stack
}

// LatencyProxy stands in front of moto and makes each stack operation look as long as it is
// on AWS: until its time is up DescribeStacks shows the stack *_IN_PROGRESS (a deleted one
// too), DescribeStackEvents holds back the events of the operation after its first, and a
// new change set stays CREATE_IN_PROGRESS and unavailable. Everything else passes through.
// Floor tells what the best schedule could take.
type LatencyProxy struct {
	URL string
	L   Latency

	mu      sync.Mutex
	ops     map[string]*heldOp   // by stack name
	names   map[string]string    // stack id → name
	lastXML map[string][]byte    // by stack name: its last <member> of DescribeStacks
	sets    map[string]time.Time // change set id or stack/name → when it is ready
	srv     *http.Server
	now     func() time.Time
}

type heldOp struct {
	verb        string // CREATE, UPDATE or DELETE
	start, done time.Time
}

// StartLatencyProxy starts a proxy to target (moto's URL) on a free 127.0.0.1 port.
func StartLatencyProxy(target string, l Latency) (*LatencyProxy, error) {
	u, err := url.Parse(target)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &LatencyProxy{URL: "http://" + ln.Addr().String(), L: l, ops: map[string]*heldOp{}, names: map[string]string{},
		lastXML: map[string][]byte{}, sets: map[string]time.Time{}, now: time.Now}
	rp := quietProxy(u)
	p.srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { p.serve(w, r, rp) })}
	go func() { _ = p.srv.Serve(ln) }()
	return p, nil
}

// Stop closes the proxy.
func (p *LatencyProxy) Stop() { _ = p.srv.Close() }

// Reset forgets every operation held (after the emulator is reset).
func (p *LatencyProxy) Reset() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.ops, p.names, p.lastXML, p.sets = map[string]*heldOp{}, map[string]string{}, map[string][]byte{}, map[string]time.Time{}
}

var (
	reStackName = regexp.MustCompile(`<StackName>([^<]*)</StackName>`)
	reStackID   = regexp.MustCompile(`<StackId>([^<]*)</StackId>`)
	reStatus    = regexp.MustCompile(`<StackStatus>[^<]*</StackStatus>`)
	reOutputs   = regexp.MustCompile(`(?s)<Outputs>.*?</Outputs>`)
	reMember    = regexp.MustCompile(`(?s)<member>.*?</member>`)
	reStamp     = regexp.MustCompile(`<Timestamp>([^<]*)</Timestamp>`)
	reLogical   = regexp.MustCompile(`<LogicalResourceId>([^<]*)</LogicalResourceId>`)
	reResStatus = regexp.MustCompile(`<ResourceStatus>([^<]*)</ResourceStatus>`)
	reCSStatus  = regexp.MustCompile(`<Status>[^<]*</Status>`)
	reCSExec    = regexp.MustCompile(`<ExecutionStatus>[^<]*</ExecutionStatus>`)
	reCSReason  = regexp.MustCompile(`<StatusReason>[^<]*</StatusReason>`)
	reID        = regexp.MustCompile(`<Id>([^<]*)</Id>`)
	reChangeSet = regexp.MustCompile(`<ChangeSetId>([^<]*)</ChangeSetId>`)
)

func (p *LatencyProxy) serve(w http.ResponseWriter, r *http.Request, next http.Handler) {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	form, _ := url.ParseQuery(string(body))
	action := form.Get("Action")
	if !strings.HasPrefix(operation(r, body), "cloudformation:") {
		next.ServeHTTP(w, r)
		return
	}
	started := p.now()
	rec := httptest.NewRecorder()
	next.ServeHTTP(rec, r)
	out := rec.Body.Bytes()
	ok := rec.Code < 300
	stack := p.name(form.Get("StackName"))
	switch action {
	case "CreateStack", "UpdateStack", "DeleteStack":
		if ok {
			if m := reStackID.FindSubmatch(out); m != nil {
				p.learn(string(m[1]), stack)
			}
			p.hold(stack, strings.ToUpper(strings.TrimSuffix(action, "Stack")), started)
		}
	case "ExecuteChangeSet":
		if ok {
			verb := "UPDATE"
			if last := p.last(stack); last == nil || bytes.Contains(last, []byte("REVIEW_IN_PROGRESS")) {
				verb = "CREATE"
			}
			p.hold(stack, verb, started)
		}
	case "CreateChangeSet":
		if ok {
			p.mu.Lock()
			ready := started.Add(p.L.ChangeSet)
			if m := reID.FindSubmatch(out); m != nil {
				p.sets[string(m[1])] = ready
			}
			p.sets[stack+"/"+form.Get("ChangeSetName")] = ready
			p.mu.Unlock()
		}
	case "DescribeChangeSet":
		if ok && p.changeSetHeld(out, stack, form.Get("ChangeSetName")) {
			out = reCSStatus.ReplaceAll(out, []byte("<Status>CREATE_IN_PROGRESS</Status>"))
			out = reCSExec.ReplaceAll(out, []byte("<ExecutionStatus>UNAVAILABLE</ExecutionStatus>"))
			out = reCSReason.ReplaceAll(out, nil)
		}
	case "DescribeStacks":
		out, rec.Code = p.describeStacks(out, rec.Code, stack)
	case "DescribeStackEvents":
		if ok {
			out = p.events(out, stack)
		}
	}
	for k, v := range rec.Header() {
		if k != "Content-Length" {
			w.Header()[k] = v
		}
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(out)
}

// name returns the stack name of a name or id.
func (p *LatencyProxy) name(nameOrID string) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	if n, ok := p.names[nameOrID]; ok {
		return n
	}
	if strings.HasPrefix(nameOrID, "arn:") {
		if parts := strings.Split(nameOrID, "/"); len(parts) >= 2 {
			return parts[1]
		}
	}
	return nameOrID
}

func (p *LatencyProxy) learn(id, name string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.names[id] = name
}

func (p *LatencyProxy) last(stack string) []byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.lastXML[stack]
}

func (p *LatencyProxy) hold(stack, verb string, start time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.ops[stack] = &heldOp{verb: verb, start: start, done: start.Add(p.L.of(stack))}
}

// held returns the operation of stack still running, if any.
func (p *LatencyProxy) held(stack string) *heldOp {
	p.mu.Lock()
	defer p.mu.Unlock()
	op := p.ops[stack]
	if op == nil || !p.now().Before(op.done) {
		return nil
	}
	return op
}

func (p *LatencyProxy) changeSetHeld(out []byte, stack, name string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	ready, ok := p.sets[name]
	if !ok {
		ready, ok = p.sets[stack+"/"+name]
	}
	if !ok {
		if m := reChangeSet.FindSubmatch(out); m != nil {
			ready, ok = p.sets[string(m[1])]
		}
	}
	return ok && p.now().Before(ready)
}

// describeStacks shows a held stack in progress: its status, no outputs yet, and a stack
// being deleted as it last was (moto has forgotten it).
func (p *LatencyProxy) describeStacks(out []byte, code int, stack string) ([]byte, int) {
	if code < 300 {
		if m := reStackName.FindSubmatch(out); m != nil {
			name := string(m[1])
			if id := reStackID.FindSubmatch(out); id != nil {
				p.learn(string(id[1]), name)
			}
			if op := p.held(name); op != nil {
				out = reStatus.ReplaceAll(out, []byte("<StackStatus>"+op.verb+"_IN_PROGRESS</StackStatus>"))
				out = reOutputs.ReplaceAll(out, nil)
			} else {
				p.mu.Lock()
				p.lastXML[name] = append([]byte(nil), out...)
				p.mu.Unlock()
			}
		}
		return out, code
	}
	op := p.held(stack)
	last := p.last(stack)
	if op == nil || op.verb != "DELETE" || last == nil {
		return out, code
	}
	return reStatus.ReplaceAll(last, []byte("<StackStatus>DELETE_IN_PROGRESS</StackStatus>")), http.StatusOK
}

// events holds back a held operation's events after its first.
func (p *LatencyProxy) events(out []byte, stack string) []byte {
	op := p.held(stack)
	if op == nil {
		return out
	}
	return reMember.ReplaceAllFunc(out, func(m []byte) []byte {
		ts := reStamp.FindSubmatch(m)
		if ts == nil {
			return m
		}
		t, err := time.Parse(time.RFC3339Nano, string(ts[1]))
		if err != nil || t.Before(op.start.Add(-50*time.Millisecond)) {
			return m // an earlier operation's
		}
		lg, st := reLogical.FindSubmatch(m), reResStatus.FindSubmatch(m)
		if lg != nil && st != nil && string(lg[1]) == stack && strings.HasSuffix(string(st[1]), "_IN_PROGRESS") && !strings.Contains(string(st[1]), "CLEANUP") {
			return m // the operation's start
		}
		return nil
	})
}

// Floor is how long CloudFormation itself takes for the best schedule of a deploy that must
// create or update the bucket stack (bucket), change the companion stack (companion, before
// the change set executes; after, when removing), and deploy the application stack (stack).
func (l Latency) Floor(bucket, companionBefore, companionAfter, stack bool) time.Duration {
	before := l.ChangeSet
	if companionBefore {
		before = max(before, l.Companion)
	}
	if bucket {
		// The change set names the bucket: it waits for the bucket stack.
		before = max(before, l.Bucket+l.ChangeSet)
	}
	d := before
	if stack {
		d += l.Stack
	}
	if companionAfter {
		d += l.Companion
	}
	return d
}
