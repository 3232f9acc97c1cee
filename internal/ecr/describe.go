package ecr

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecr "github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"
)

// Image is one image of a repository as ECR describes it: one entry per digest, with all
// its tags.
type Image struct {
	Digest string
	Tags   []string
	Size   int64 // bytes, as ECR bills them (compressed layers)
	Pushed time.Time
}

// Describe returns every image of repo, one per digest (every page). A missing repository is
// a RepositoryNotFoundError.
func (c *Client) Describe(ctx context.Context, repo string) ([]Image, error) {
	var images []Image
	var token *string
	for {
		out, err := c.api.DescribeImages(ctx, &awsecr.DescribeImagesInput{RepositoryName: aws.String(repo), NextToken: token,
			MaxResults: aws.Int32(1000)})
		if err != nil {
			return nil, fmt.Errorf("describe images of repository %s: %w", repo, typed(err, repo))
		}
		for _, d := range out.ImageDetails {
			img := Image{Digest: aws.ToString(d.ImageDigest), Tags: d.ImageTags, Size: aws.ToInt64(d.ImageSizeInBytes)}
			if d.ImagePushedAt != nil {
				img.Pushed = *d.ImagePushedAt
			}
			images = append(images, img)
		}
		if out.NextToken == nil {
			return images, nil
		}
		token = out.NextToken
	}
}

// DeleteDigests deletes the images of repo with these digests (every tag of each), 100 at a
// time, and returns the digests ECR kept because an image index still refers to them. An
// image already gone counts as deleted; a missing repository is a RepositoryNotFoundError.
func (c *Client) DeleteDigests(ctx context.Context, repo string, digests []string) (kept []string, err error) {
	for i := 0; i < len(digests); i += 100 {
		batch := make([]types.ImageIdentifier, 0, 100)
		for _, d := range digests[i:min(i+100, len(digests))] {
			batch = append(batch, types.ImageIdentifier{ImageDigest: aws.String(d)})
		}
		out, err := c.api.BatchDeleteImage(ctx, &awsecr.BatchDeleteImageInput{RepositoryName: aws.String(repo), ImageIds: batch})
		if err != nil {
			return kept, fmt.Errorf("delete images of repository %s: %w", repo, typed(err, repo))
		}
		for _, f := range out.Failures {
			switch f.FailureCode {
			case types.ImageFailureCodeImageNotFound:
			case types.ImageFailureCodeImageReferencedByManifestList:
				kept = append(kept, aws.ToString(f.ImageId.ImageDigest))
			default:
				return kept, fmt.Errorf("delete images of repository %s: %s: %s", repo, f.FailureCode, aws.ToString(f.FailureReason))
			}
		}
	}
	return kept, nil
}
