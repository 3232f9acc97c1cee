package testenv

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
)

// ECRFront makes docker-registry and moto's ECR API one store, as the registry and the ECR
// API are on AWS. It is a reverse proxy in front of the registry that
//   - refuses a manifest pushed to a repository the ECR API does not know (NAME_UNKNOWN, as
//     ECR answers), and records every manifest pushed (PutImage, same bytes, digest and tag)
//     or deleted (BatchDeleteImage) in moto's ECR;
//   - answers a manifest read (HEAD or GET) only when moto's ECR holds that tag or digest, so
//     that images deleted through the ECR API (BatchDeleteImage, a deleted repository) are
//     gone from the registry too.
//
// Blobs pass through untouched. ListImages and DescribeImages therefore count what was really
// pushed. The requests name no region (SAMSHIP_REGISTRY_ENDPOINT sends every ECR host here),
// so a repository's region is the first of moto's regions that has it, us-east-1 first.
type ECRFront struct {
	// URL is the endpoint to give samship as SAMSHIP_REGISTRY_ENDPOINT.
	URL string
	srv *http.Server
	cfg aws.Config

	mu      sync.Mutex
	clients map[string]*ecr.Client // by region
	regions map[string]string      // repository name → region found
}

// frontRegions are the regions searched for a repository, in order.
var frontRegions = []string{
	"us-east-1", "us-east-2", "us-west-1", "us-west-2", "eu-west-1", "eu-west-2", "eu-west-3",
	"eu-central-1", "eu-central-2", "eu-north-1", "eu-south-1", "eu-south-2", "ap-south-1",
	"ap-south-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-southeast-1",
	"ap-southeast-2", "ap-southeast-3", "ap-southeast-4", "ap-east-1", "ca-central-1",
	"ca-west-1", "sa-east-1", "me-south-1", "me-central-1", "af-south-1", "il-central-1",
	"cn-north-1", "cn-northwest-1", "us-gov-west-1", "us-gov-east-1",
}

func (f *ECRFront) client(region string) *ecr.Client {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.clients[region]
	if !ok {
		c = ecr.NewFromConfig(f.cfg, func(o *ecr.Options) { o.Region = region })
		f.clients[region] = c
	}
	return c
}

// ecrFor returns the ECR client of the region holding repo, or nil when no region has it.
// A region once found is trusted without asking moto again unless fresh: moto's one Python
// process answers parallel calls one after another, so a DescribeRepositories before every
// manifest request made ten parallel pushes cost ten times one, which ECR's own registry
// does not. onRepo asks again when the remembered region says the repository is gone.
func (f *ECRFront) ecrFor(ctx context.Context, repo string, fresh bool) *ecr.Client {
	f.mu.Lock()
	known := f.regions[repo]
	if fresh {
		delete(f.regions, repo)
	}
	f.mu.Unlock()
	if known != "" && !fresh {
		return f.client(known)
	}
	search := frontRegions
	if known != "" {
		search = append([]string{known}, frontRegions...)
	}
	for _, region := range search {
		c := f.client(region)
		if _, err := c.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{repo}}); err == nil {
			f.mu.Lock()
			f.regions[repo] = region
			f.mu.Unlock()
			return c
		}
	}
	return nil
}

// errNoRepository: no region of moto's ECR has the repository.
var errNoRepository = errors.New("no such repository")

// onRepo runs op with the client of the region holding repo, searching the regions again
// once when the region remembered answers that the repository is gone.
func (f *ECRFront) onRepo(ctx context.Context, repo string, op func(*ecr.Client) error) error {
	for _, fresh := range []bool{false, true} {
		c := f.ecrFor(ctx, repo, fresh)
		if c == nil {
			return errNoRepository
		}
		var nf *ecrtypes.RepositoryNotFoundException
		if err := op(c); !errors.As(err, &nf) {
			return err
		}
	}
	return errNoRepository
}

// manifestPath matches /v2/<name>/manifests/<reference>; names may contain slashes.
var manifestPath = regexp.MustCompile(`^/v2/(.+)/manifests/([^/]+)$`)

// StartECRFront starts the front for reg and m on a free 127.0.0.1 port.
func StartECRFront(reg *Registry, m *Moto) (*ECRFront, error) {
	target, err := url.Parse(reg.URL)
	if err != nil {
		return nil, err
	}
	cfg, err := m.Config(context.Background())
	if err != nil {
		return nil, err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	f := &ECRFront{URL: "http://" + l.Addr().String(), cfg: cfg, clients: map[string]*ecr.Client{}, regions: map[string]string{}}
	proxy := quietProxy(target)
	f.srv = &http.Server{Handler: f.handler(proxy)}
	go func() { _ = f.srv.Serve(l) }()
	return f, nil
}

// Stop closes the front (not the registry behind it).
func (f *ECRFront) Stop() { _ = f.srv.Close() }

func (f *ECRFront) handler(proxy http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m := manifestPath.FindStringSubmatch(r.URL.Path)
		if m == nil {
			proxy.ServeHTTP(w, r)
			return
		}
		repo, ref := m[1], m[2]
		switch r.Method {
		case http.MethodHead, http.MethodGet:
			f.read(w, r, proxy, repo, ref)
		case http.MethodPut:
			f.put(w, r, proxy, repo, ref)
		case http.MethodDelete:
			rec := record(proxy, r)
			if rec.code/100 == 2 {
				if err := f.forget(r.Context(), repo, ref); err != nil {
					registryError(w, http.StatusInternalServerError, "UNKNOWN", "record deletion in ECR: "+err.Error())
					return
				}
			}
			rec.replay(w)
		default:
			proxy.ServeHTTP(w, r)
		}
	})
}

func (f *ECRFront) read(w http.ResponseWriter, r *http.Request, proxy http.Handler, repo, ref string) {
	var found bool
	err := f.onRepo(r.Context(), repo, func(c *ecr.Client) error {
		res, err := c.BatchGetImage(r.Context(), &ecr.BatchGetImageInput{RepositoryName: aws.String(repo), ImageIds: []ecrtypes.ImageIdentifier{imageID(ref)}})
		found = err == nil && len(res.Images) > 0
		return err
	})
	switch {
	case errors.Is(err, errNoRepository):
		nameUnknown(w, repo)
	case err != nil:
		registryError(w, http.StatusInternalServerError, "UNKNOWN", err.Error())
	case !found:
		registryError(w, http.StatusNotFound, "MANIFEST_UNKNOWN", "Requested image not found")
	default:
		proxy.ServeHTTP(w, r)
	}
}

func nameUnknown(w http.ResponseWriter, repo string) {
	registryError(w, http.StatusNotFound, "NAME_UNKNOWN", fmt.Sprintf("The repository with name '%s' does not exist in the registry with id '123456789012'", repo))
}

func (f *ECRFront) put(w http.ResponseWriter, r *http.Request, proxy http.Handler, repo, ref string) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 4<<20+1)) // ECR's manifest limit is 4 MiB
	if err != nil || len(body) > 4<<20 {
		registryError(w, http.StatusBadRequest, "MANIFEST_INVALID", "manifest unreadable or over 4 MiB")
		return
	}
	if f.ecrFor(r.Context(), repo, false) == nil {
		nameUnknown(w, repo)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	rec := record(proxy, r)
	if rec.code/100 == 2 {
		in := &ecr.PutImageInput{
			RepositoryName:         aws.String(repo),
			ImageManifest:          aws.String(string(body)),
			ImageManifestMediaType: aws.String(r.Header.Get("Content-Type")),
		}
		if d := rec.header.Get("Docker-Content-Digest"); d != "" {
			in.ImageDigest = aws.String(d)
		}
		if !strings.HasPrefix(ref, "sha256:") {
			in.ImageTag = aws.String(ref)
		}
		var exists *ecrtypes.ImageAlreadyExistsException
		err := f.onRepo(r.Context(), repo, func(c *ecr.Client) error {
			_, err := c.PutImage(r.Context(), in)
			return err
		})
		if errors.Is(err, errNoRepository) {
			nameUnknown(w, repo) // deleted since: the registry's copy is never read
			return
		}
		if err != nil && !errors.As(err, &exists) {
			registryError(w, http.StatusInternalServerError, "UNKNOWN", "record image in ECR: "+err.Error())
			return
		}
	}
	rec.replay(w)
}

// forget removes ref from moto's ECR; an image ECR no longer has is already forgotten.
func (f *ECRFront) forget(ctx context.Context, repo, ref string) error {
	err := f.onRepo(ctx, repo, func(c *ecr.Client) error {
		_, err := c.BatchDeleteImage(ctx, &ecr.BatchDeleteImageInput{RepositoryName: aws.String(repo), ImageIds: []ecrtypes.ImageIdentifier{imageID(ref)}})
		return err
	})
	if errors.Is(err, errNoRepository) {
		return nil
	}
	return err
}

func imageID(ref string) ecrtypes.ImageIdentifier {
	if strings.HasPrefix(ref, "sha256:") {
		return ecrtypes.ImageIdentifier{ImageDigest: aws.String(ref)}
	}
	return ecrtypes.ImageIdentifier{ImageTag: aws.String(ref)}
}

func registryError(w http.ResponseWriter, code int, errCode, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	fmt.Fprintf(w, `{"errors":[{"code":%q,"message":%q}]}`, errCode, msg)
}

// recorded is a proxied answer held back until the front has acted on it.
type recorded struct {
	code   int
	header http.Header
	body   bytes.Buffer
}

func record(h http.Handler, r *http.Request) *recorded {
	rec := &recorded{header: http.Header{}}
	h.ServeHTTP(rec, r)
	if rec.code == 0 {
		rec.code = http.StatusOK
	}
	return rec
}

func (rec *recorded) Header() http.Header { return rec.header }
func (rec *recorded) Write(b []byte) (int, error) {
	if rec.code == 0 {
		rec.code = http.StatusOK
	}
	return rec.body.Write(b)
}
func (rec *recorded) WriteHeader(code int) { rec.code = code }

func (rec *recorded) replay(w http.ResponseWriter) {
	for k, v := range rec.header {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.code)
	_, _ = w.Write(rec.body.Bytes())
}
