// Package awsclient builds the AWS SDK configuration and clients samship uses: profile and
// region resolution, endpoint overrides (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_<SERVICE>, shared
// config), bounded network timeouts, a middleware that counts and optionally logs every
// AWS call, and AWS's clock as its responses tell it.
package awsclient

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go/middleware"
)

// lambdaAttempts is how many times a Lambda call is tried when throttled (or failing).
const lambdaAttempts = 10

// Options select the profile and region; empty values fall back to the SDK's chain.
type Options struct {
	Profile string
	Region  string
	// Debug, when set, receives one line per AWS call.
	Debug io.Writer
	// Env reads environment variables (os.Getenv when nil).
	Env func(string) string
	// Now is the local clock (time.Now when nil); Clients.Clock corrects it by AWS's.
	Now func() time.Time
}

// Clients are the service clients of one run, sharing one configuration.
type Clients struct {
	CloudFormation *cloudformation.Client
	ECR            *ecr.Client
	Lambda         *lambda.Client
	S3             *s3.Client
	STS            *sts.Client
	Region         string
	// S3Endpoint is the S3 endpoint the configuration points at (AWS_ENDPOINT_URL_S3,
	// AWS_ENDPOINT_URL or the profile's endpoint_url); "" for AWS's own.
	S3Endpoint string
	Calls      *Counter
	// Clock is AWS's time as its latest response said it (the local time before any).
	Clock *Clock

	accountOnce sync.Once
	account     string
	accountErr  error
}

// ErrNoRegion is returned when no region is configured anywhere.
var ErrNoRegion = errors.New("no AWS region: pass --region, set AWS_REGION or AWS_DEFAULT_REGION, or set region in the profile")

// New loads the configuration and checks that a region and credentials exist, without any
// network call unless the credential source itself needs one (SSO, instance metadata).
func New(ctx context.Context, o Options) (*Clients, error) {
	getenv := o.Env
	if getenv == nil {
		getenv = os.Getenv
	}
	counter := &Counter{debug: o.Debug}
	clock := &Clock{Local: o.Now}
	httpClient := awshttp.NewBuildableClient().
		WithDialerOptions(func(d *net.Dialer) { d.Timeout = 5 * time.Second }).
		WithTransportOptions(func(t *http.Transport) {
			t.ResponseHeaderTimeout = 20 * time.Second
			t.TLSHandshakeTimeout = 10 * time.Second
		})
	opts := []func(*config.LoadOptions) error{
		config.WithHTTPClient(httpClient),
		config.WithRetryMaxAttempts(3),
		config.WithAPIOptions([]func(*middleware.Stack) error{counter.install, clock.install}),
	}
	if o.Profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(o.Profile))
	}
	if o.Region != "" {
		opts = append(opts, config.WithRegion(o.Region))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("load AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		return nil, ErrNoRegion
	}
	if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
		msg := "no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or choose a profile with --profile or AWS_PROFILE"
		if o.Debug != nil { // the SDK's chain of providers tried, only when asked for
			msg += " (" + firstLine(err.Error()) + ")"
		}
		return nil, errors.New(msg)
	}
	s3Endpoint := getenv("AWS_ENDPOINT_URL_S3")
	if s3Endpoint == "" {
		s3Endpoint = aws.ToString(cfg.BaseEndpoint)
	}
	pathStyle := s3Endpoint != ""
	return &Clients{
		CloudFormation: cloudformation.NewFromConfig(cfg),
		ECR:            ecr.NewFromConfig(cfg),
		// Lambda's control plane allows 15 calls a second (100 for GetFunction): reading
		// hundreds of functions is throttled, and the adaptive retryer slows down instead of
		// giving up. The client caps its retryer at the configuration's RetryMaxAttempts (3)
		// unless its own option says otherwise.
		Lambda: lambda.NewFromConfig(cfg, func(o *lambda.Options) {
			o.Retryer = retry.NewAdaptiveMode(func(a *retry.AdaptiveModeOptions) {
				a.StandardOptions = append(a.StandardOptions, func(s *retry.StandardOptions) { s.MaxAttempts = lambdaAttempts })
			})
			o.RetryMaxAttempts = lambdaAttempts
		}),
		S3:         s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = pathStyle }),
		STS:        sts.NewFromConfig(cfg),
		Region:     cfg.Region,
		S3Endpoint: s3Endpoint,
		Calls:      counter,
		Clock:      clock,
	}, nil
}

// Account returns the caller's account id, asking STS at most once per run.
func (c *Clients) Account(ctx context.Context) (string, error) {
	c.accountOnce.Do(func() {
		if c.account != "" {
			return
		}
		out, err := c.STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			c.accountErr = fmt.Errorf("get caller identity: %w", err)
			return
		}
		c.account = aws.ToString(out.Account)
	})
	return c.account, c.accountErr
}

// SetAccount records an account id learnt elsewhere (a stack ARN), saving the STS call.
func (c *Clients) SetAccount(id string) {
	c.accountOnce.Do(func() { c.account = id })
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// Counter counts AWS calls by "service:Operation".
type Counter struct {
	mu     sync.Mutex
	counts map[string]int
	debug  io.Writer
}

func (c *Counter) install(st *middleware.Stack) error {
	return st.Initialize.Add(middleware.InitializeMiddlewareFunc("samshipCallCounter",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			op := strings.ToLower(middleware.GetServiceID(ctx)) + ":" + middleware.GetOperationName(ctx)
			start := time.Now()
			out, md, err := next.HandleInitialize(ctx, in)
			c.mu.Lock()
			if c.counts == nil {
				c.counts = map[string]int{}
			}
			c.counts[op]++
			if c.debug != nil {
				status := "ok"
				if err != nil {
					status = firstLine(err.Error())
				}
				fmt.Fprintf(c.debug, "aws call %s %dms %s\n", op, time.Since(start).Milliseconds(), status)
			}
			c.mu.Unlock()
			return out, md, err
		}), middleware.Before)
}

// Total returns the number of calls made so far.
func (c *Counter) Total() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, v := range c.counts {
		n += v
	}
	return n
}

// Summary returns the calls as "op ×n" entries sorted by operation.
func (c *Counter) Summary() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for k, v := range c.counts {
		out = append(out, fmt.Sprintf("%s×%d", k, v))
	}
	sort.Strings(out)
	return out
}

// DefaultRegion returns the region the SDK would use for profile (environment or shared
// config), without any network call; "" when none is configured.
func DefaultRegion(ctx context.Context, profile string) string {
	var opts []func(*config.LoadOptions) error
	if profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(profile))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return ""
	}
	return cfg.Region
}
