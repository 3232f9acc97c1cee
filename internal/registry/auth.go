package registry

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/google/go-containerregistry/pkg/authn"

	"github.com/samship/samship/internal/imageref"
)

// TokenAPI is the ECR call ECR credentials come from.
type TokenAPI interface {
	GetAuthorizationToken(context.Context, *ecr.GetAuthorizationTokenInput, ...func(*ecr.Options)) (*ecr.GetAuthorizationTokenOutput, error)
}

// Keychain gives ECR registries the credentials of ecr:GetAuthorizationToken, asked once per
// run through samship's own client (so it follows the AWS configuration, emulators included),
// and every other registry those of the Docker configuration and credential helpers.
type Keychain struct {
	ctx  context.Context
	api  TokenAPI
	once sync.Once
	auth authn.Authenticator
	err  error
}

// NewKeychain returns a Keychain asking api for ECR tokens.
func NewKeychain(ctx context.Context, api TokenAPI) *Keychain { return &Keychain{ctx: ctx, api: api} }

// Resolve implements authn.Keychain.
func (k *Keychain) Resolve(r authn.Resource) (authn.Authenticator, error) {
	if !imageref.IsECRHost(r.RegistryStr()) {
		return authn.DefaultKeychain.Resolve(r)
	}
	k.once.Do(func() { k.auth, k.err = k.token() })
	return k.auth, k.err
}

func (k *Keychain) token() (authn.Authenticator, error) {
	out, err := k.api.GetAuthorizationToken(k.ctx, &ecr.GetAuthorizationTokenInput{})
	if err != nil {
		return nil, fmt.Errorf("get ECR authorization token: %w", err)
	}
	if len(out.AuthorizationData) == 0 {
		return nil, fmt.Errorf("get ECR authorization token: no authorization data")
	}
	raw, err := base64.StdEncoding.DecodeString(aws.ToString(out.AuthorizationData[0].AuthorizationToken))
	if err != nil {
		return nil, fmt.Errorf("decode ECR authorization token: %w", err)
	}
	user, pass, ok := strings.Cut(string(raw), ":")
	if !ok {
		return nil, fmt.Errorf("decode ECR authorization token: no user:password")
	}
	return &authn.Basic{Username: user, Password: pass}, nil
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
