// Package lambda reads which container images Lambda functions can run: the image of a
// function's $LATEST, of each of its published versions and, through them, of its aliases,
// each resolved to the digest Lambda pinned when the code was set; and, for samship sync,
// sets a function's image, waits for Lambda to finish, publishes a version and moves an alias
// to it. Callers never see the SDK's shapes.
package lambda

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// API lists the Lambda SDK methods this package calls; *lambda.Client satisfies it.
type API interface {
	GetFunction(context.Context, *awslambda.GetFunctionInput, ...func(*awslambda.Options)) (*awslambda.GetFunctionOutput, error)
	ListVersionsByFunction(context.Context, *awslambda.ListVersionsByFunctionInput, ...func(*awslambda.Options)) (*awslambda.ListVersionsByFunctionOutput, error)
	ListAliases(context.Context, *awslambda.ListAliasesInput, ...func(*awslambda.Options)) (*awslambda.ListAliasesOutput, error)
	UpdateFunctionCode(context.Context, *awslambda.UpdateFunctionCodeInput, ...func(*awslambda.Options)) (*awslambda.UpdateFunctionCodeOutput, error)
	GetFunctionConfiguration(context.Context, *awslambda.GetFunctionConfigurationInput, ...func(*awslambda.Options)) (*awslambda.GetFunctionConfigurationOutput, error)
	PublishVersion(context.Context, *awslambda.PublishVersionInput, ...func(*awslambda.Options)) (*awslambda.PublishVersionOutput, error)
	UpdateAlias(context.Context, *awslambda.UpdateAliasInput, ...func(*awslambda.Options)) (*awslambda.UpdateAliasOutput, error)
	CreateAlias(context.Context, *awslambda.CreateAliasInput, ...func(*awslambda.Options)) (*awslambda.CreateAliasOutput, error)
}

// Client reads functions and sets their images.
type Client struct {
	api API
	// Wait paces SetImage's waits for Lambda; New sets DefaultWaiting.
	Wait Waiting
}

// New returns a Client over api.
func New(api API) *Client { return &Client{api: api, Wait: DefaultWaiting()} }

// Use is one way a function runs an image: its $LATEST, a published version, or an alias
// (Qualifier "live", pointing at Versions).
type Use struct {
	Qualifier string
	// Image is the resolved image, "<registry>/<repository>@sha256:…"; empty for a .zip
	// package.
	Image string
	// Versions are the versions an alias routes to.
	Versions []string
}

// Function is what a function can run.
type Function struct {
	Name string
	// Revision changes whenever $LATEST's code or configuration changes.
	Revision string
	Uses     []Use // $LATEST, the versions, then the aliases
}

// Images reads everything function name can run: $LATEST, every published version and
// every alias. A function that does not exist (any more) runs nothing: (nil, nil).
func (c *Client) Images(ctx context.Context, name string) (*Function, error) {
	latest, rev, err := c.get(ctx, name, "")
	if err != nil || latest == nil {
		return nil, err
	}
	fn := &Function{Name: name, Revision: rev, Uses: []Use{*latest}}
	versions, err := c.versions(ctx, name)
	if err != nil {
		return nil, err
	}
	for _, v := range versions {
		u, _, err := c.get(ctx, name, v)
		if err != nil {
			return nil, err
		}
		if u != nil {
			fn.Uses = append(fn.Uses, *u)
		}
	}
	aliases, err := c.aliases(ctx, name)
	if err != nil {
		return nil, err
	}
	for _, a := range aliases {
		for _, v := range a.Versions {
			if v != "$LATEST" && !slices.Contains(versions, v) { // published after the versions were listed
				u, _, err := c.get(ctx, name, v)
				if err != nil {
					return nil, err
				}
				if u != nil {
					versions = append(versions, v)
					fn.Uses = append(fn.Uses, *u)
				}
			}
		}
		fn.Uses = append(fn.Uses, a)
	}
	return fn, nil
}

// Latest reads only $LATEST: its use and its revision, to tell whether a function changed
// since Images read it. A function that does not exist gives (nil, "", nil).
func (c *Client) Latest(ctx context.Context, name string) (*Use, string, error) {
	return c.get(ctx, name, "")
}

func (c *Client) get(ctx context.Context, name, qualifier string) (*Use, string, error) {
	in := &awslambda.GetFunctionInput{FunctionName: aws.String(name)}
	if qualifier != "" {
		in.Qualifier = aws.String(qualifier)
	}
	out, err := c.api.GetFunction(ctx, in)
	if isNotFound(err) {
		return nil, "", nil
	}
	if err != nil {
		return nil, "", fmt.Errorf("get function %s: %w", qualified(name, qualifier), err)
	}
	u := &Use{Qualifier: "$LATEST"}
	if qualifier != "" {
		u.Qualifier = qualifier
	}
	if out.Code != nil {
		u.Image = aws.ToString(out.Code.ResolvedImageUri)
	}
	var rev string
	if out.Configuration != nil {
		rev = aws.ToString(out.Configuration.RevisionId) + " " + aws.ToString(out.Configuration.CodeSha256)
	}
	return u, rev, nil
}

// versions lists the published versions (every page), without $LATEST.
func (c *Client) versions(ctx context.Context, name string) ([]string, error) {
	var out []string
	var marker *string
	for {
		page, err := c.api.ListVersionsByFunction(ctx, &awslambda.ListVersionsByFunctionInput{FunctionName: aws.String(name), Marker: marker})
		if isNotFound(err) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("list versions of function %s: %w", name, err)
		}
		for _, v := range page.Versions {
			if ver := aws.ToString(v.Version); ver != "$LATEST" {
				out = append(out, ver)
			}
		}
		if page.NextMarker == nil {
			return out, nil
		}
		marker = page.NextMarker
	}
}

// aliases lists the aliases (every page) with the versions each routes to.
func (c *Client) aliases(ctx context.Context, name string) ([]Use, error) {
	var out []Use
	var marker *string
	for {
		page, err := c.api.ListAliases(ctx, &awslambda.ListAliasesInput{FunctionName: aws.String(name), Marker: marker})
		if isNotFound(err) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("list aliases of function %s: %w", name, err)
		}
		for _, a := range page.Aliases {
			u := Use{Qualifier: aws.ToString(a.Name), Versions: []string{aws.ToString(a.FunctionVersion)}}
			if a.RoutingConfig != nil {
				for v := range a.RoutingConfig.AdditionalVersionWeights {
					if !slices.Contains(u.Versions, v) {
						u.Versions = append(u.Versions, v)
					}
				}
				slices.Sort(u.Versions[1:])
			}
			out = append(out, u)
		}
		if page.NextMarker == nil {
			return out, nil
		}
		marker = page.NextMarker
	}
}

func qualified(name, qualifier string) string {
	if qualifier == "" {
		return name
	}
	return name + ":" + qualifier
}

func isNotFound(err error) bool {
	var nf *types.ResourceNotFoundException
	return errors.As(err, &nf)
}
