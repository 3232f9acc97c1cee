package teardown

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/samship/samship/internal/companion"
	"github.com/samship/samship/internal/imageref"
	"github.com/samship/samship/internal/registry"
)

// Images is what teardown needs from ECR.
type Images = companion.ImagesAPI

// Objects is what teardown needs from S3.
type Objects interface {
	HeadObject(context.Context, *s3.HeadObjectInput, ...func(*s3.Options)) (*s3.HeadObjectOutput, error)
	DeleteObject(context.Context, *s3.DeleteObjectInput, ...func(*s3.Options)) (*s3.DeleteObjectOutput, error)
	ListObjectsV2(context.Context, *s3.ListObjectsV2Input, ...func(*s3.Options)) (*s3.ListObjectsV2Output, error)
}

// deleteObject deletes one object, saying so, or that it was not there.
func deleteObject(ctx context.Context, e Env, bucket, key string) error {
	if _, err := e.Objects.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}); err != nil {
		var nf *s3types.NotFound
		if errors.As(err, &nf) {
			fmt.Fprintf(e.Err, "\t- Could not find and delete the S3 object with the key %s\n", key)
			return nil
		}
		return fmt.Errorf("look up s3://%s/%s: %w", bucket, key, err)
	}
	fmt.Fprintf(e.Err, "\t- Deleting S3 object with key %s\n", key)
	if _, err := e.Objects.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}); err != nil {
		return fmt.Errorf("delete s3://%s/%s: %w", bucket, key, err)
	}
	return nil
}

// deleteFolder deletes every object under prefix/ (every page, where SAM CLI stops after the
// first thousand).
func deleteFolder(ctx context.Context, e Env, bucket, prefix string) error {
	in := &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix + "/")}
	for {
		out, err := e.Objects.ListObjectsV2(ctx, in)
		if err != nil {
			return fmt.Errorf("list s3://%s/%s/: %w", bucket, prefix, err)
		}
		for _, o := range out.Contents {
			fmt.Fprintf(e.Err, "\t- Deleting S3 object with key %s\n", aws.ToString(o.Key))
			if _, err := e.Objects.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: o.Key}); err != nil {
				return fmt.Errorf("delete s3://%s/%s: %w", bucket, aws.ToString(o.Key), err)
			}
		}
		if !aws.ToBool(out.IsTruncated) {
			return nil
		}
		in.ContinuationToken = out.NextContinuationToken
	}
}

// deleteImage deletes the tag of an image a function used, unless it is in a companion
// repository (those go, or stay, with the companion stack) or was not pushed by samship or
// SAM CLI: a prebuilt image in someone's own repository may be what other stacks run, so only
// a tag of the push scheme (<name>-<12 hex>-<tag>) is deleted (sam delete deletes any).
func deleteImage(ctx context.Context, e Env, ref string, companionRepos map[string]bool) error {
	repo, tag, _ := imageref.Split(ref)
	if tag == "" || repo == "" {
		return nil // by digest: not a tag samship or SAM CLI pushed
	}
	if companionRepos[repo] {
		return nil
	}
	if !registry.IsPushTag(tag) {
		fmt.Fprintf(e.Err, "\t- Keeping ECR image %s in repository %s: not pushed by samship or SAM CLI\n", tag, repo)
		return nil
	}
	out, err := e.Images.BatchDeleteImage(ctx, &ecr.BatchDeleteImageInput{RepositoryName: aws.String(repo),
		ImageIds: []ecrtypes.ImageIdentifier{{ImageTag: aws.String(tag)}}})
	if isRepoNotFound(err) || err == nil && len(out.Failures) > 0 {
		fmt.Fprintf(e.Err, "\t- Could not find image with tag %s in repository %s\n", tag, repo)
		return nil
	}
	if err != nil {
		return fmt.Errorf("delete image %s: %w", ref, err)
	}
	fmt.Fprintf(e.Err, "\t- Deleting ECR image %s in repository %s\n", tag, repo)
	return nil
}

func isRepoNotFound(err error) bool {
	var nf *ecrtypes.RepositoryNotFoundException
	return errors.As(err, &nf)
}
