package main

import (
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
)

// engineMeter is a byte-level proxy on a unix socket in front of an engine's socket: it
// counts the bytes the engine sends back and the API calls made (from the request lines),
// so that a deploy shows what it read from the engine.
type engineMeter struct {
	// Host is the DOCKER_HOST value that reaches the engine through the meter.
	Host   string
	l      net.Listener
	target string

	mu    sync.Mutex
	bytes int64
	calls map[string]int
}

// startEngineMeter listens on a socket in dir and forwards to the engine at host (unix://).
func startEngineMeter(dir, host string) (*engineMeter, error) {
	sock := filepath.Join(dir, "engine-meter.sock")
	os.Remove(sock)
	l, err := net.Listen("unix", sock)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", sock, err)
	}
	em := &engineMeter{Host: "unix://" + sock, l: l, target: strings.TrimPrefix(host, "unix://"), calls: map[string]int{}}
	go em.serve()
	return em, nil
}

func (em *engineMeter) serve() {
	for {
		c, err := em.l.Accept()
		if err != nil {
			return
		}
		go em.forward(c.(*net.UnixConn))
	}
}

func (em *engineMeter) forward(client *net.UnixConn) {
	defer client.Close()
	engine, err := net.Dial("unix", em.target)
	if err != nil {
		return
	}
	defer engine.Close()
	done := make(chan struct{})
	go func() {
		// Requests: small, each written at once by Go's HTTP client, so a request line is
		// never split across reads.
		io.Copy(writerOnly{engine}, readerOnly{&requestLines{r: client, em: em}})
		engine.(*net.UnixConn).CloseWrite()
		close(done)
	}()
	io.CopyBuffer(writerOnly{client}, readerOnly{&counted{r: engine, em: em}}, make([]byte, 1<<20))
	client.CloseWrite()
	<-done
}

// stop closes the listener; connections in flight end with their clients.
func (em *engineMeter) stop() { em.l.Close() }

// snapshot returns the bytes the engine sent so far and the calls by endpoint, as
// "json×1 get×1".
func (em *engineMeter) snapshot() (int64, string) {
	em.mu.Lock()
	defer em.mu.Unlock()
	var names []string
	for n := range em.calls {
		names = append(names, n)
	}
	sort.Strings(names)
	var parts []string
	for _, n := range names {
		parts = append(parts, fmt.Sprintf("%s×%d", n, em.calls[n]))
	}
	return em.bytes, strings.Join(parts, " ")
}

// reset zeroes the counts.
func (em *engineMeter) reset() {
	em.mu.Lock()
	em.bytes, em.calls = 0, map[string]int{}
	em.mu.Unlock()
}

type counted struct {
	r  io.Reader
	em *engineMeter
}

func (c *counted) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.em.mu.Lock()
	c.em.bytes += int64(n)
	c.em.mu.Unlock()
	return n, err
}

// requestLine matches an HTTP request line; the endpoint is named by its path without the
// API version and the image name: "json" for /v1.47/images/x:y/json, "_ping", "version".
var requestLine = regexp.MustCompile(`(?m)^(GET|HEAD|POST|PUT|DELETE) (/[^ ?]*)`)

type requestLines struct {
	r  io.Reader
	em *engineMeter
}

func (q *requestLines) Read(p []byte) (int, error) {
	n, err := q.r.Read(p)
	for _, m := range requestLine.FindAllSubmatch(p[:n], -1) {
		path := string(m[2])
		name := path[strings.LastIndexByte(path, '/')+1:]
		q.em.mu.Lock()
		q.em.calls[string(m[1])+" "+name]++
		q.em.mu.Unlock()
	}
	return n, err
}

// readerOnly and writerOnly hide ReadFrom and WriteTo, so that every byte passes through Read.
type readerOnly struct{ io.Reader }
type writerOnly struct{ io.Writer }
