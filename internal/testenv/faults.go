package testenv

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"math/rand"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
)

// Fault is what the fault proxy does to one request instead of passing it through.
type Fault string

const (
	// Throttle answers as AWS does when a caller is throttled.
	Throttle Fault = "throttle"
	// Unavailable answers 503.
	Unavailable Fault = "503"
	// ResetBefore drops the connection without forwarding: AWS never saw the request.
	ResetBefore Fault = "reset-before"
	// ResetAfter forwards the request and drops the connection instead of answering: AWS
	// acted, the answer is lost.
	ResetAfter Fault = "reset-after"
	// Pass forwards the request: with Rule.Before, a step where the test acts (interrupts
	// the client, changes the world) before AWS does.
	Pass Fault = "pass"
)

// Rule makes the proxy fault requests of one operation ("cloudformation:CreateStack",
// "ecr:BatchDeleteImage", "rest:PUT /v2/app/manifests/v1"; "*" for every one, a trailing "*"
// for every one that starts so): the next Times of them (0: no limit), each with
// probability Prob (0: always).
type Rule struct {
	Op    string
	Fault Fault
	Times int
	Prob  float64
	// Before, when set, runs before the fault (or the forwarding), with the operation: a test
	// kills the client there, or holds the request.
	Before func(op string)
}

// FaultProxy stands in front of moto (AWS_ENDPOINT_URL) and injects faults by operation, so
// that tests see samship survive throttling, 5xx answers, dropped connections before and
// after AWS acted, and interruptions at a chosen step.
type FaultProxy struct {
	URL string

	mu       sync.Mutex
	rules    []*Rule
	rnd      *rand.Rand
	injected map[Fault]int
	srv      *http.Server
}

// StartFaultProxy starts a proxy to target (moto's URL) on a free 127.0.0.1 port; seed makes
// the probabilistic faults repeatable.
func StartFaultProxy(target string, seed int64) (*FaultProxy, error) {
	u, err := url.Parse(target)
	if err != nil {
		return nil, err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &FaultProxy{URL: "http://" + l.Addr().String(), rnd: rand.New(rand.NewSource(seed)), injected: map[Fault]int{}}
	rp := quietProxy(u)
	p.srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { p.serve(w, r, rp) })}
	go func() { _ = p.srv.Serve(l) }()
	return p, nil
}

// quietProxy is a reverse proxy to u that answers 502 when u fails, and logs that only when
// the client had not gone: samship interrupted at a step, or a dropped connection, cancels
// its requests, which is what the fault and latency tests do on purpose.
func quietProxy(u *url.URL) *httputil.ReverseProxy {
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.ErrorHandler = func(w http.ResponseWriter, r *http.Request, err error) {
		if !errors.Is(err, context.Canceled) && r.Context().Err() == nil {
			log.Printf("proxy to %s: %v", u, err)
		}
		w.WriteHeader(http.StatusBadGateway)
	}
	return rp
}

// Stop closes the proxy.
func (p *FaultProxy) Stop() { _ = p.srv.Close() }

// Set replaces the rules.
func (p *FaultProxy) Set(rules ...*Rule) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rules = rules
}

// Injected returns how many faults of each kind were injected so far.
func (p *FaultProxy) Injected() map[Fault]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := map[Fault]int{}
	for k, v := range p.injected {
		out[k] = v
	}
	return out
}

func (p *FaultProxy) serve(w http.ResponseWriter, r *http.Request, next http.Handler) {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	op := operation(r, body)
	rule := p.pick(op)
	if rule != nil && rule.Before != nil {
		rule.Before(op)
	}
	if rule == nil {
		next.ServeHTTP(w, r)
		return
	}
	switch rule.Fault {
	case Throttle:
		if strings.HasPrefix(op, "cloudformation:") {
			w.Header().Set("Content-Type", "text/xml")
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>fault</RequestId></ErrorResponse>`)
			return
		}
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `{"__type":"ThrottlingException","message":"Rate exceeded"}`)
	case Unavailable:
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprint(w, "Service Unavailable")
	case ResetBefore:
		drop(w)
	case ResetAfter:
		rec := record(next, r)
		_ = rec // AWS acted; its answer goes nowhere
		drop(w)
	default:
		next.ServeHTTP(w, r)
	}
}

// pick returns the rule that faults this request, if any, and counts it.
func (p *FaultProxy) pick(op string) *Rule {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, r := range p.rules {
		if r.Op != op && !(strings.HasSuffix(r.Op, "*") && strings.HasPrefix(op, strings.TrimSuffix(r.Op, "*"))) {
			continue
		}
		if r.Prob > 0 && p.rnd.Float64() >= r.Prob {
			continue
		}
		if r.Times > 0 {
			r.Times--
			if r.Times == 0 {
				r.Times = -1 // spent
			}
		} else if r.Times < 0 {
			continue
		}
		p.injected[r.Fault]++
		return r
	}
	return nil
}

// drop closes the client's connection without an answer.
func drop(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if c, _, err := hj.Hijack(); err == nil {
			c.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}

// operation names a request: "cloudformation:CreateStack" (query protocol: Action in the
// form), "ecr:ListImages" (JSON protocol: X-Amz-Target), else "<host service> <method>".
func operation(r *http.Request, body []byte) string {
	if t := r.Header.Get("X-Amz-Target"); t != "" {
		if i := strings.LastIndexByte(t, '.'); i >= 0 {
			svc := "ecr"
			if !strings.HasPrefix(t, "AmazonEC2ContainerRegistry") {
				svc = strings.ToLower(t[:i])
			}
			return svc + ":" + t[i+1:]
		}
	}
	if vals, err := url.ParseQuery(string(body)); err == nil && vals.Get("Action") != "" {
		svc := "cloudformation"
		if strings.Contains(r.Header.Get("Authorization"), "/sts/") {
			svc = "sts"
		}
		return svc + ":" + vals.Get("Action")
	}
	return "rest:" + r.Method + " " + r.URL.Path
}
