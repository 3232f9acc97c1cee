package registry

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// Access is how samship reaches registries: the transport every request goes through
// (SAMSHIP_REGISTRY_ENDPOINT's redirect included) and where credentials come from.
type Access struct {
	Transport http.RoundTripper
	Keychain  authn.Keychain
	// Debug, when set, gets a line per registry request (--debug).
	Debug io.Writer
}

// Options are go-containerregistry's options for reading from registries through a.
func (a Access) Options() []remote.Option {
	return []remote.Option{remote.WithTransport(a.transport()), remote.WithAuthFromKeychain(a.keychain())}
}

func (a Access) transport() http.RoundTripper {
	t := a.Transport
	if t == nil {
		t = http.DefaultTransport
	}
	if a.Debug != nil {
		t = &debugTransport{base: t, w: a.Debug}
	}
	return t
}

// debugTransport writes "registry call METHOD PATH STATUS TIME" for each request (the query,
// which may carry upload state, is left out).
type debugTransport struct {
	base http.RoundTripper
	mu   sync.Mutex
	w    io.Writer
}

func (d *debugTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	start := time.Now()
	resp, err := d.base.RoundTrip(req)
	outcome := ""
	if err != nil {
		outcome = "error: " + err.Error()
	} else {
		outcome = strconv.Itoa(resp.StatusCode)
	}
	d.mu.Lock()
	fmt.Fprintf(d.w, "registry call %s %s %s %dms\n", req.Method, req.URL.Path, outcome, time.Since(start).Milliseconds())
	d.mu.Unlock()
	return resp, err
}

func (a Access) keychain() authn.Keychain {
	if a.Keychain == nil {
		return authn.DefaultKeychain
	}
	return a.Keychain
}

// pingCache answers a registry's version check (GET /v2/, which go-containerregistry sends
// before its first request to each repository to learn how to authenticate) from the first
// answer of each host: the answer names the registry's authentication, not the repository's.
type pingCache struct {
	base  http.RoundTripper
	hosts perKey[string, pingEntry]
}

type pingEntry struct {
	mu     sync.Mutex // held while the first ping is out, so that the others wait for it
	done   bool
	status int
	header http.Header
	body   []byte
}

func newPingCache(base http.RoundTripper) *pingCache {
	return &pingCache{base: base}
}

func (c *pingCache) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method != http.MethodGet || req.URL.Path != "/v2/" {
		return c.base.RoundTrip(req)
	}
	e := c.hosts.get(req.URL.Scheme + "://" + req.URL.Host)
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.done {
		resp, err := c.ping(req)
		if err != nil || (resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusUnauthorized) {
			return resp, err // not kept: the next request asks again
		}
		body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
		if err != nil {
			return nil, err
		}
		e.done, e.status, e.header, e.body = true, resp.StatusCode, resp.Header, body
	}
	return &http.Response{
		Status: http.StatusText(e.status), StatusCode: e.status, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: e.header.Clone(), Body: io.NopCloser(bytes.NewReader(e.body)), ContentLength: int64(len(e.body)), Request: req,
	}, nil
}

// ping sends the ping, again after a dropped connection or a 5xx answer (it changes
// nothing), as the other registry requests are retried.
func (c *pingCache) ping(req *http.Request) (*http.Response, error) {
	for i := 0; ; i++ {
		resp, err := c.base.RoundTrip(req)
		failed := err != nil && transient(err) || err == nil && resp.StatusCode >= 500
		if !failed || i == len(retryDelays) {
			return resp, err
		}
		if resp != nil {
			resp.Body.Close()
		}
		select {
		case <-req.Context().Done():
			return nil, req.Context().Err()
		case <-time.After(retryDelays[i]):
		}
	}
}

// perKey hands out one *V per key, made on first use; safe for concurrent use.
type perKey[K comparable, V any] struct {
	mu sync.Mutex
	m  map[K]*V
}

func (p *perKey[K, V]) get(k K) *V {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.m == nil {
		p.m = map[K]*V{}
	}
	v, ok := p.m[k]
	if !ok {
		v = new(V)
		p.m[k] = v
	}
	return v
}
