package registry

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// BuildOptions are docker build's for one image.
type BuildOptions struct {
	// Dockerfile is the Dockerfile's path within the context ("Dockerfile" when empty).
	Dockerfile string
	// Tag is the name:tag the image gets (sam build: <logical id lower-cased>:<DockerTag>).
	Tag string
	// Args are the build arguments (--build-arg).
	Args map[string]string
	// Target is the stage to build (--target); "" builds the last.
	Target string
	// Platform is the platform to build for (--platform "linux/arm64"); "" is the engine's.
	Platform string
}

// query returns the options as /build's query parameters.
func (o BuildOptions) query() (url.Values, error) {
	q := url.Values{"t": {o.Tag}, "rm": {"1"}, "forcerm": {"1"}}
	if o.Dockerfile != "" {
		q.Set("dockerfile", o.Dockerfile)
	}
	if len(o.Args) > 0 {
		b, err := json.Marshal(o.Args)
		if err != nil {
			return nil, err
		}
		q.Set("buildargs", string(b))
	}
	if o.Target != "" {
		q.Set("target", o.Target)
	}
	if o.Platform != "" {
		q.Set("platform", o.Platform)
	}
	return q, nil
}

// buildMessage is one line of /build's answer: progress text, the built image's id, or the
// build's error.
type buildMessage struct {
	Stream      string `json:"stream"`
	Error       string `json:"error"`
	ErrorDetail struct {
		Message string `json:"message"`
	} `json:"errorDetail"`
	Aux struct {
		ID string `json:"ID"`
	} `json:"aux"`
}

// Build sends the build context (a tar stream the caller made, already filtered by
// .dockerignore) to the engine's /build endpoint (Docker and Podman's compat API), writes the
// engine's progress lines (the "stream" texts) to progress, and returns the built image's id
// ("sha256:…"). An error names the tag and gives the engine's own error line.
//
// With a Platform, the built image's platform is checked: both engines' build caches take a
// step FROM scratch built for another platform as a match, and hand back that platform's
// image. Such a build is made again without the cache, which needs the context a second time:
// contextTar is then read again when it is an io.Seeker, else the mismatch is an error.
func (e *Engine) Build(ctx context.Context, contextTar io.Reader, opts BuildOptions, progress io.Writer) (string, error) {
	if progress == nil {
		progress = io.Discard
	}
	id, err := e.build(ctx, contextTar, opts, false, progress)
	if err != nil || opts.Platform == "" {
		return id, err
	}
	info, err := e.inspect(ctx, id)
	if err != nil {
		return "", fmt.Errorf("build %s: check the image's platform: %w", opts.Tag, err)
	}
	got := platformString(v1.Platform{OS: info.OS, Architecture: info.Architecture, Variant: info.Variant})
	want, err := v1.ParsePlatform(opts.Platform)
	if err != nil {
		return "", fmt.Errorf("build %s: invalid platform %q: %w", opts.Tag, opts.Platform, err)
	}
	if info.OS == want.OS && info.Architecture == want.Architecture && (want.Variant == "" || info.Variant == want.Variant) {
		return id, nil
	}
	seeker, ok := contextTar.(io.Seeker)
	if !ok {
		return "", fmt.Errorf("build %s: the engine's cache gave an image for %s, not %s: build it again without the cache", opts.Tag, got, opts.Platform)
	}
	if _, err := seeker.Seek(0, io.SeekStart); err != nil {
		return "", fmt.Errorf("build %s: read the build context again: %w", opts.Tag, err)
	}
	fmt.Fprintf(progress, "The engine's cache gave an image for %s, not %s: building again without the cache\n", got, opts.Platform)
	return e.build(ctx, contextTar, opts, true, progress)
}

// build makes one /build request; noCache sends nocache=1.
func (e *Engine) build(ctx context.Context, contextTar io.Reader, opts BuildOptions, noCache bool, progress io.Writer) (string, error) {
	q, err := opts.query()
	if err != nil {
		return "", fmt.Errorf("build %s: %w", opts.Tag, err)
	}
	if noCache {
		q.Set("nocache", "1")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.base+"/build?"+q.Encode(), contextTar)
	if err != nil {
		return "", fmt.Errorf("build %s: %w", opts.Tag, err)
	}
	req.Header.Set("Content-Type", "application/x-tar")
	resp, err := e.client.Do(req)
	if err != nil {
		return "", fmt.Errorf("build %s: reach the engine at %s: %w", opts.Tag, e.Host, err)
	}
	defer resp.Body.Close()
	// Whatever happened, a name Inspect answered for before may now be another image.
	e.inspected.forget(opts.Tag)
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("build %s: %s", opts.Tag, engineMessage(resp))
	}
	id := ""
	dec := json.NewDecoder(resp.Body)
	for {
		var m buildMessage
		if err := dec.Decode(&m); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return "", fmt.Errorf("build %s: read the engine's answer: %w", opts.Tag, err)
		}
		if m.Error != "" || m.ErrorDetail.Message != "" {
			msg := m.ErrorDetail.Message
			if msg == "" {
				msg = m.Error
			}
			return "", fmt.Errorf("build %s: %s", opts.Tag, strings.TrimSpace(msg))
		}
		if m.Stream != "" {
			if _, err := io.WriteString(progress, m.Stream); err != nil {
				return "", fmt.Errorf("build %s: write progress: %w", opts.Tag, err)
			}
		}
		if m.Aux.ID != "" {
			id = m.Aux.ID
		}
	}
	if id == "" {
		// An engine that names no id in its answer: the image the tag now names is the one built.
		info, err := e.inspect(ctx, opts.Tag)
		if err != nil {
			return "", fmt.Errorf("build %s: the engine gave no image id, and asked for it: %w", opts.Tag, err)
		}
		id = info.ID
	}
	if !strings.HasPrefix(id, "sha256:") {
		id = "sha256:" + id // Podman gives the bare hex
	}
	return id, nil
}

// engineMessage returns the message of an engine's error answer ({"message": "..."}), or its
// status and text when it is not one.
func engineMessage(resp *http.Response) string {
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	var m struct{ Message string }
	if json.Unmarshal(b, &m) == nil && m.Message != "" {
		return strings.TrimSpace(m.Message)
	}
	return strings.TrimSpace(resp.Status + ": " + string(b))
}

// forget drops the value of key k: the next get makes a new one.
func (p *perKey[K, V]) forget(k K) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.m, k)
}
