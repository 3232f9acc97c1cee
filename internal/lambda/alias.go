package lambda

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// ErrChanged is wrapped by PublishAlias's error when $LATEST is no longer what SetImage left
// (someone changed its code or configuration since, or is changing it): nothing was published
// and the alias did not move.
var ErrChanged = errors.New("$LATEST changed since its image was set")

// PublishAlias publishes a version of function name's $LATEST, only if its code and revision
// are still u's (so a concurrent change is refused, not published), and points alias at it,
// creating the alias when it does not exist yet (as SAM's AutoPublishAlias would have). Like
// sam sync, it moves only the alias's version: a weighted routing of the alias is left as it
// is. Returns the version (an unchanged $LATEST gives the version last published from it).
func (c *Client) PublishAlias(ctx context.Context, name, alias string, u Updated) (string, error) {
	in := &awslambda.PublishVersionInput{FunctionName: aws.String(name)}
	if u.CodeSha256 != "" {
		in.CodeSha256 = aws.String(u.CodeSha256)
	}
	if u.RevisionID != "" {
		in.RevisionId = aws.String(u.RevisionID)
	}
	out, err := c.api.PublishVersion(ctx, in)
	var pre *types.PreconditionFailedException
	switch {
	case isNotFound(err):
		return "", fmt.Errorf("publish version of function %s: %w", name, ErrNoFunction)
	case errors.As(err, &pre) || isConflict(err):
		return "", fmt.Errorf("publish version of function %s: %w: %w", name, ErrChanged, err)
	case err != nil:
		return "", fmt.Errorf("publish version of function %s: %w", name, err)
	}
	version := aws.ToString(out.Version)
	if err := c.pointAlias(ctx, name, alias, version); err != nil {
		return "", err
	}
	return version, nil
}

// pointAlias points alias of function name at version: UpdateAlias, else CreateAlias when the
// alias does not exist, else (created meanwhile by someone else) UpdateAlias once more.
func (c *Client) pointAlias(ctx context.Context, name, alias, version string) error {
	update := func() error {
		_, err := c.api.UpdateAlias(ctx, &awslambda.UpdateAliasInput{FunctionName: aws.String(name), Name: aws.String(alias), FunctionVersion: aws.String(version)})
		return err
	}
	err := update()
	if isNotFound(err) {
		_, err = c.api.CreateAlias(ctx, &awslambda.CreateAliasInput{FunctionName: aws.String(name), Name: aws.String(alias), FunctionVersion: aws.String(version)})
		if isConflict(err) {
			err = update()
		} else if err != nil {
			return fmt.Errorf("create alias %s of function %s: %w", alias, name, err)
		}
	}
	if err != nil {
		return fmt.Errorf("point alias %s of function %s at version %s: %w", alias, name, version, err)
	}
	return nil
}
