package registry

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Engine is a Docker or Podman engine reached through its API socket: where `sam build` leaves
// the images it builds ("hellofunction:python3.12-v1").
type Engine struct {
	// Host is the engine's address as DOCKER_HOST names it: unix:///path or tcp://host:port.
	Host   string
	client *http.Client
	base   string

	inspected perKey[string, inspection] // one answer per image name for a run's life
}

type inspection struct {
	once sync.Once
	info *EngineImage
	err  error
}

// FindEngine returns the engine DOCKER_HOST names, else the first default socket (Docker's,
// then Podman's) that exists; nil when there is none.
func FindEngine(dockerHost, runtimeDir string) *Engine {
	hosts := []string{dockerHost}
	if dockerHost == "" {
		hosts = []string{"unix:///var/run/docker.sock"}
		if runtimeDir != "" {
			hosts = append(hosts, "unix://"+filepath.Join(runtimeDir, "podman", "podman.sock"))
		}
		hosts = append(hosts, "unix:///run/podman/podman.sock")
	}
	for _, h := range hosts {
		if e, err := NewEngine(h); err == nil && (dockerHost != "" || e.socketExists()) {
			return e
		}
	}
	return nil
}

// NewEngine returns a client of the engine at host.
func NewEngine(host string) (*Engine, error) {
	u, err := url.Parse(host)
	if err != nil {
		return nil, fmt.Errorf("invalid DOCKER_HOST %q: %w", host, err)
	}
	e := &Engine{Host: host}
	switch u.Scheme {
	case "unix":
		path := u.Path
		e.client = &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", path)
		}}}
		e.base = "http://engine"
	case "tcp", "http":
		e.client = &http.Client{Transport: &http.Transport{}}
		e.base = "http://" + u.Host
	default:
		return nil, fmt.Errorf("invalid DOCKER_HOST %q: samship reaches engines through unix:// or tcp:// addresses", host)
	}
	return e, nil
}

func (e *Engine) socketExists() bool {
	u, _ := url.Parse(e.Host)
	_, err := os.Stat(u.Path)
	return u.Scheme != "unix" || err == nil
}

// ErrImageNotFound reports an image the engine does not have.
var ErrImageNotFound = errors.New("no such image")

// noImageError is an image a template names that the engine does not have: probably one
// sam build has not built yet.
type noImageError struct{ host, ref string }

func (e *noImageError) Error() string {
	return fmt.Sprintf("the engine at %s has no image %s (run sam build)", e.host, e.ref)
}

func (e *noImageError) Unwrap() error { return ErrImageNotFound }

// EngineImage is what the engine says of one of its images, without exporting it.
type EngineImage struct {
	// ID is the engine's image id ("sha256:..."): the digest of the image's config in the
	// engine's own image store, which SAM CLI's tag takes its 12 hex from.
	ID string
	// OS, Architecture and Variant are the platform the image was built for.
	OS, Architecture, Variant string
	// DiffIDs are the digests of the image's layers, uncompressed, bottom first.
	DiffIDs []string
	// Size is the image's size in the engine, uncompressed.
	Size int64
	// Indexed tells that the engine keeps images as registries do (the containerd image store:
	// its ID names an index or a manifest, not the config), so its export holds compressed
	// blobs rather than the layers by their diff ids.
	Indexed bool
}

// Inspect asks the engine about its image ref: a quick existence check, and what the push
// needs to know before it reads anything. The engine is asked once per name: a run checks the
// image before it opens it, and functions share images. An image the engine does not have is
// an error that says so, and is ErrImageNotFound.
func (e *Engine) Inspect(ctx context.Context, ref string) (*EngineImage, error) {
	in := e.inspected.get(ref)
	in.once.Do(func() {
		in.info, in.err = e.inspect(ctx, ref)
		if errors.Is(in.err, ErrImageNotFound) {
			in.err = &noImageError{host: e.Host, ref: ref}
		}
	})
	return in.info, in.err
}

func (e *Engine) inspect(ctx context.Context, ref string) (*EngineImage, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	resp, err := e.get(ctx, "/images/"+ref+"/json") // the engine routes names with their "/"
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var info struct {
		Id, Os, Architecture, Variant string
		Size                          int64
		RootFS                        struct{ Layers []string }
		Descriptor                    *json.RawMessage // only the containerd image store sets it
	}
	if err := json.NewDecoder(resp.Body).Decode(&info); err != nil {
		return nil, fmt.Errorf("read the engine's answer: %w", err)
	}
	return &EngineImage{ID: info.Id, OS: info.Os, Architecture: info.Architecture, Variant: info.Variant,
		DiffIDs: info.RootFS.Layers, Size: info.Size, Indexed: info.Descriptor != nil}, nil
}

// Export streams the engine's images refs as one docker archive (docker save of them all):
// a layer the images share is in it once.
func (e *Engine) Export(ctx context.Context, refs []string) (io.ReadCloser, error) {
	q := url.Values{}
	for _, r := range refs {
		q.Add("names", r)
	}
	resp, err := e.get(ctx, "/images/get?"+q.Encode())
	if err != nil {
		return nil, err
	}
	return resp.Body, nil
}

func (e *Engine) get(ctx context.Context, path string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, e.base+path, nil)
	if err != nil {
		return nil, err
	}
	resp, err := e.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("reach the engine at %s: %w", e.Host, err)
	}
	if resp.StatusCode == http.StatusNotFound {
		resp.Body.Close()
		return nil, ErrImageNotFound
	}
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		resp.Body.Close()
		return nil, fmt.Errorf("engine at %s: %s: %s", e.Host, resp.Status, strings.TrimSpace(string(b)))
	}
	return resp, nil
}

// splitNameTag splits a local reference "name:tag" as SAM CLI does for its tag (the tag is
// what follows the last ":" when that is after the last "/").
func splitNameTag(ref string) (string, string) {
	name, tag := ref, "latest"
	if i := strings.LastIndexByte(ref, ':'); i > strings.LastIndexByte(ref, '/') {
		name, tag = ref[:i], ref[i+1:]
	}
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:] // org/img:tag -> img (SAM CLI keeps the "/" and fails, defect D12)
	}
	return name, tag
}

// Ping reports whether the engine answers (its /_ping), within two seconds.
func (e *Engine) Ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	resp, err := e.get(ctx, "/_ping")
	if err != nil {
		return err
	}
	return resp.Body.Close()
}
