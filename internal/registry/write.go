package registry

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// repoClient speaks the registry protocol to one repository with the fewest requests it
// allows: one HEAD to learn a tag's digest or whether a blob is there, one POST to mount a
// blob or start its upload, one PUT to send it whole, one PUT for a manifest.
type repoClient struct {
	repo   name.Repository
	client *http.Client
	// empty tells that the repository was created empty by this run: lookups are skipped.
	empty bool
}

// newRepoClient authenticates to repo with push access, and pull access to the repositories
// in from (the ones it mounts blobs from).
func newRepoClient(ctx context.Context, a Access, rt http.RoundTripper, repo name.Repository, from ...name.Repository) (*repoClient, error) {
	auth, err := a.keychain().Resolve(repo)
	if err != nil {
		return nil, fmt.Errorf("find credentials for %s: %w", repo.RegistryStr(), err)
	}
	scopes := []string{repo.Scope(transport.PushScope)}
	for _, f := range from {
		scopes = append(scopes, f.Scope(transport.PullScope))
	}
	t, err := transport.NewWithContext(ctx, repo.Registry, auth, rt, scopes)
	if err != nil {
		return nil, err
	}
	return &repoClient{repo: repo, client: &http.Client{Transport: t}}, nil
}

func (c *repoClient) url(path string, query url.Values) string {
	u := url.URL{Scheme: c.repo.Scheme(), Host: c.repo.RegistryStr(), Path: "/v2/" + c.repo.RepositoryStr() + path, RawQuery: query.Encode()}
	return u.String()
}

func (c *repoClient) do(ctx context.Context, method, u string, body io.Reader, header map[string]string, ok ...int) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return nil, err
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return nil, redact(err)
	}
	if err := transport.CheckError(resp, ok...); err != nil {
		resp.Body.Close()
		return nil, redact(err)
	}
	return resp, nil
}

var manifestTypes = strings.Join([]string{
	string(types.OCIManifestSchema1), string(types.DockerManifestSchema2),
	string(types.OCIImageIndex), string(types.DockerManifestList),
}, ",")

// lookupTag returns the digest tag names in the repository; found is false when the tag does
// not exist (or the repository is known to be empty).
func (c *repoClient) lookupTag(ctx context.Context, tag string) (d v1.Hash, found bool, err error) {
	if c.empty {
		return v1.Hash{}, false, nil
	}
	resp, err := c.do(ctx, http.MethodHead, c.url("/manifests/"+tag, nil), nil,
		map[string]string{"Accept": manifestTypes}, http.StatusOK, http.StatusNotFound)
	if err != nil {
		return v1.Hash{}, false, err
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		return v1.Hash{}, false, nil
	}
	d, err = v1.NewHash(resp.Header.Get("Docker-Content-Digest"))
	return d, err == nil, nil
}

// hasBlob reports whether the repository holds blob d.
func (c *repoClient) hasBlob(ctx context.Context, d v1.Hash) (bool, error) {
	resp, err := c.do(ctx, http.MethodHead, c.url("/blobs/"+d.String(), nil), nil, nil, http.StatusOK, http.StatusNotFound)
	if err != nil {
		return false, err
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK, nil
}

// startUpload asks the registry to mount blob d from the repository from (when set) and
// otherwise starts an upload, whose location it returns; mounted is true when nothing more
// is to be sent.
func (c *repoClient) startUpload(ctx context.Context, d v1.Hash, from *name.Repository) (location string, mounted bool, err error) {
	q := url.Values{}
	if from != nil {
		q.Set("mount", d.String())
		q.Set("from", from.RepositoryStr())
	}
	resp, err := c.do(ctx, http.MethodPost, c.url("/blobs/uploads/", q), nil, nil, http.StatusCreated, http.StatusAccepted)
	if err != nil {
		return "", false, err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusCreated {
		return "", true, nil
	}
	location, err = uploadLocation(resp)
	return location, false, err
}

// uploadLocation is where an upload continues: the Location header, resolved against the
// request. A registry may send the bytes elsewhere (object storage), but not to a private or
// loopback address other than its own.
func uploadLocation(resp *http.Response) (string, error) {
	loc := resp.Header.Get("Location")
	if loc == "" {
		return "", errors.New("start upload: the registry sent no Location")
	}
	u, err := resp.Request.URL.Parse(loc)
	if err != nil {
		return "", fmt.Errorf("start upload: bad Location %q: %w", loc, err)
	}
	if host := u.Hostname(); host != resp.Request.URL.Hostname() {
		if ip, err := netip.ParseAddr(host); err == nil && (ip.IsPrivate() || ip.IsLoopback() || ip.IsLinkLocalUnicast()) {
			return "", fmt.Errorf("start upload: the registry sent the upload to private address %s", host)
		}
	}
	return u.String(), nil
}

// sendBlob sends a blob whole to an upload location and commits it under d.
func (c *repoClient) sendBlob(ctx context.Context, location string, d v1.Hash, size int64, body io.Reader) error {
	u, err := url.Parse(location)
	if err != nil {
		return err
	}
	q := u.Query()
	q.Set("digest", d.String())
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, u.String(), verifying(body, d, size))
	if err != nil {
		return redact(err)
	}
	req.ContentLength = size
	req.Header.Set("Content-Type", "application/octet-stream")
	resp, err := c.client.Do(req)
	if err != nil {
		return redact(err)
	}
	defer resp.Body.Close()
	return redact(transport.CheckError(resp, http.StatusCreated, http.StatusNoContent, http.StatusAccepted))
}

// putManifest writes a manifest under tag.
func (c *repoClient) putManifest(ctx context.Context, tag string, raw []byte, mt types.MediaType) error {
	resp, err := c.do(ctx, http.MethodPut, c.url("/manifests/"+tag, nil), bytes.NewReader(raw),
		map[string]string{"Content-Type": string(mt)}, http.StatusOK, http.StatusCreated, http.StatusAccepted)
	if err != nil {
		return err
	}
	resp.Body.Close()
	return nil
}

// retryDelays are the waits before the retries of a registry operation that failed for a
// reason that may pass: the registry's 5xx, 408 or 429 answers, a dropped connection.
var retryDelays = []time.Duration{500 * time.Millisecond, 1500 * time.Millisecond, 4500 * time.Millisecond}

func retry(ctx context.Context, delays []time.Duration, op func() error) error {
	for i := 0; ; i++ {
		err := op()
		if err == nil || i == len(delays) || !transient(err) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(delays[i]):
		}
	}
}

func transient(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var te *transport.Error
	if errors.As(err, &te) {
		return te.Temporary()
	}
	return errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, net.ErrClosed)
}
