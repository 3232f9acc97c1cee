package registry

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sync"

	"github.com/google/go-containerregistry/pkg/authn"

	"github.com/samship/samship/internal/imageref"
)

// Credentials is where ECR credentials come from (ecr.Client: ecr:GetAuthorizationToken).
type Credentials interface {
	Credentials(ctx context.Context) (user, password string, err error)
}

// Keychain gives ECR registries the credentials of ecr:GetAuthorizationToken, asked once per
// run through samship's own client (so it follows the AWS configuration, emulators included),
// and every other registry those of the Docker configuration and credential helpers. It is an
// authn.ContextKeychain: the token is asked with the context of the request that needs it.
type Keychain struct {
	creds Credentials
	once  sync.Once
	auth  authn.Authenticator
	err   error
}

// NewKeychain returns a Keychain asking creds for ECR tokens.
func NewKeychain(creds Credentials) *Keychain { return &Keychain{creds: creds} }

// Resolve implements authn.Keychain, for callers without a context.
func (k *Keychain) Resolve(r authn.Resource) (authn.Authenticator, error) {
	return k.ResolveContext(context.Background(), r)
}

// ResolveContext implements authn.ContextKeychain.
func (k *Keychain) ResolveContext(ctx context.Context, r authn.Resource) (authn.Authenticator, error) {
	if !imageref.IsECRHost(r.RegistryStr()) {
		return authn.Resolve(ctx, authn.DefaultKeychain, r)
	}
	k.once.Do(func() {
		user, pass, err := k.creds.Credentials(ctx)
		if err != nil {
			k.err = err
			return
		}
		k.auth = &authn.Basic{Username: user, Password: pass}
	})
	return k.auth, k.err
}

// Redirect returns a transport that sends every request for an ECR registry host to
// endpoint (SAMSHIP_REGISTRY_ENDPOINT, e.g. http://127.0.0.1:5000): local emulators serve the
// ECR API but not the registry protocol.
func Redirect(base http.RoundTripper, endpoint string) (http.RoundTripper, error) {
	u, err := url.Parse(endpoint)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, fmt.Errorf("invalid SAMSHIP_REGISTRY_ENDPOINT %q: want http://host:port or https://host:port", endpoint)
	}
	return redirect{base: base, to: u}, nil
}

type redirect struct {
	base http.RoundTripper
	to   *url.URL
}

// RoundTrip sends an ECR host's request to the endpoint and makes the answer look as if the
// ECR host gave it: the response names the original request, and a Location on the endpoint
// is moved back to the ECR host, so that uploads continue there (with its credentials).
func (r redirect) RoundTrip(req *http.Request) (*http.Response, error) {
	if !imageref.IsECRHost(req.URL.Hostname()) {
		return r.base.RoundTrip(req)
	}
	out := req.Clone(req.Context())
	out.URL.Scheme, out.URL.Host, out.Host = r.to.Scheme, r.to.Host, r.to.Host
	resp, err := r.base.RoundTrip(out)
	if err != nil {
		return nil, err
	}
	if loc, err := url.Parse(resp.Header.Get("Location")); err == nil && loc.Host == r.to.Host {
		loc.Scheme, loc.Host = req.URL.Scheme, req.URL.Host
		resp.Header.Set("Location", loc.String())
	}
	resp.Request = req
	return resp, nil
}
