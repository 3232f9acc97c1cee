// Package ecr wraps the ECR API calls samship makes: listing, describing and deleting the
// images of a repository (paged, in batches of 100, an image already gone counting as deleted), the
// authorization token registry pushes use, and the registry's scanning configuration. Callers branch on its typed error
// (RepositoryNotFoundError) and never see the SDK's shapes.
package ecr

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecr "github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"
)

// API lists the ECR SDK methods this package calls; *ecr.Client satisfies it and tests use
// ecrfake.
type API interface {
	ListImages(context.Context, *awsecr.ListImagesInput, ...func(*awsecr.Options)) (*awsecr.ListImagesOutput, error)
	BatchDeleteImage(context.Context, *awsecr.BatchDeleteImageInput, ...func(*awsecr.Options)) (*awsecr.BatchDeleteImageOutput, error)
	GetAuthorizationToken(context.Context, *awsecr.GetAuthorizationTokenInput, ...func(*awsecr.Options)) (*awsecr.GetAuthorizationTokenOutput, error)
	GetRegistryScanningConfiguration(context.Context, *awsecr.GetRegistryScanningConfigurationInput, ...func(*awsecr.Options)) (*awsecr.GetRegistryScanningConfigurationOutput, error)
	DescribeImages(context.Context, *awsecr.DescribeImagesInput, ...func(*awsecr.Options)) (*awsecr.DescribeImagesOutput, error)
}

// Client runs ECR operations.
type Client struct{ api API }

// New returns a Client over api.
func New(api API) *Client { return &Client{api: api} }

// ImageID names an image of a repository as ECR lists it: by digest, with one of its tags
// (empty for an untagged image).
type ImageID struct{ Digest, Tag string }

// RepositoryNotFoundError says a repository does not exist.
type RepositoryNotFoundError struct{ Repo string }

func (e *RepositoryNotFoundError) Error() string {
	return fmt.Sprintf("repository %s does not exist", e.Repo)
}

// IsRepositoryNotFound reports whether err says a repository does not exist.
func IsRepositoryNotFound(err error) bool {
	var nf *RepositoryNotFoundError
	return errors.As(err, &nf)
}

// ListImages returns the image ids of repo as ECR lists them: one per tag, plus one per
// untagged image. A missing repository is a RepositoryNotFoundError.
func (c *Client) ListImages(ctx context.Context, repo string) ([]ImageID, error) {
	var ids []ImageID
	var token *string
	for {
		out, err := c.api.ListImages(ctx, &awsecr.ListImagesInput{RepositoryName: aws.String(repo), NextToken: token})
		if err != nil {
			return nil, fmt.Errorf("list images of repository %s: %w", repo, typed(err, repo))
		}
		for _, id := range out.ImageIds {
			ids = append(ids, ImageID{Digest: aws.ToString(id.ImageDigest), Tag: aws.ToString(id.ImageTag)})
		}
		if out.NextToken == nil {
			return ids, nil
		}
		token = out.NextToken
	}
}

// DeleteImages deletes ids from repo, 100 at a time. An image already gone (an earlier
// attempt whose answer was lost deleted it) counts as deleted; a missing repository is a
// RepositoryNotFoundError.
func (c *Client) DeleteImages(ctx context.Context, repo string, ids []ImageID) error {
	for i := 0; i < len(ids); i += 100 {
		batch := make([]types.ImageIdentifier, 0, 100)
		for _, id := range ids[i:min(i+100, len(ids))] {
			batch = append(batch, identifier(id))
		}
		out, err := c.api.BatchDeleteImage(ctx, &awsecr.BatchDeleteImageInput{RepositoryName: aws.String(repo), ImageIds: batch})
		if err != nil {
			return fmt.Errorf("delete images of repository %s: %w", repo, typed(err, repo))
		}
		for _, f := range out.Failures {
			if f.FailureCode != types.ImageFailureCodeImageNotFound {
				return fmt.Errorf("delete images of repository %s: %s: %s", repo, f.FailureCode, aws.ToString(f.FailureReason))
			}
		}
	}
	return nil
}

// DeleteTag deletes one tag of repo and reports whether it was deleted: false when ECR
// answered with a failure for it (the tag not found, as sam delete reads every failure).
func (c *Client) DeleteTag(ctx context.Context, repo, tag string) (bool, error) {
	out, err := c.api.BatchDeleteImage(ctx, &awsecr.BatchDeleteImageInput{RepositoryName: aws.String(repo),
		ImageIds: []types.ImageIdentifier{{ImageTag: aws.String(tag)}}})
	if err != nil {
		return false, fmt.Errorf("delete image %s:%s: %w", repo, tag, typed(err, repo))
	}
	return len(out.Failures) == 0, nil
}

// Credentials returns the user name and password of the caller's ECR authorization token.
func (c *Client) Credentials(ctx context.Context) (user, password string, err error) {
	out, err := c.api.GetAuthorizationToken(ctx, &awsecr.GetAuthorizationTokenInput{})
	if err != nil {
		return "", "", fmt.Errorf("get ECR authorization token: %w", err)
	}
	if len(out.AuthorizationData) == 0 {
		return "", "", errors.New("get ECR authorization token: no authorization data")
	}
	raw, err := base64.StdEncoding.DecodeString(aws.ToString(out.AuthorizationData[0].AuthorizationToken))
	if err != nil {
		return "", "", fmt.Errorf("decode ECR authorization token: %w", err)
	}
	user, password, ok := strings.Cut(string(raw), ":")
	if !ok {
		return "", "", errors.New("decode ECR authorization token: no user:password")
	}
	return user, password, nil
}

func identifier(id ImageID) types.ImageIdentifier {
	var out types.ImageIdentifier
	if id.Digest != "" {
		out.ImageDigest = aws.String(id.Digest)
	}
	if id.Tag != "" {
		out.ImageTag = aws.String(id.Tag)
	}
	return out
}

// typed turns the SDK's RepositoryNotFoundException into RepositoryNotFoundError.
func typed(err error, repo string) error {
	var nf *types.RepositoryNotFoundException
	if errors.As(err, &nf) {
		return &RepositoryNotFoundError{Repo: repo}
	}
	return err
}
