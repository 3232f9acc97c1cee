// Package s3 wraps the S3 API calls samship makes: whether an object exists, reading one, putting one
// (server-side encrypted, with --kms-key-id and --metadata), deleting one and listing the
// keys under a prefix. Callers branch on its typed error (NoSuchBucketError) and never see
// the SDK's shapes.
package s3

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// API lists the S3 SDK methods this package calls; *s3.Client satisfies it and tests use
// s3fake.
type API interface {
	HeadObject(context.Context, *awss3.HeadObjectInput, ...func(*awss3.Options)) (*awss3.HeadObjectOutput, error)
	GetObject(context.Context, *awss3.GetObjectInput, ...func(*awss3.Options)) (*awss3.GetObjectOutput, error)
	PutObject(context.Context, *awss3.PutObjectInput, ...func(*awss3.Options)) (*awss3.PutObjectOutput, error)
	DeleteObject(context.Context, *awss3.DeleteObjectInput, ...func(*awss3.Options)) (*awss3.DeleteObjectOutput, error)
	ListObjectsV2(context.Context, *awss3.ListObjectsV2Input, ...func(*awss3.Options)) (*awss3.ListObjectsV2Output, error)
}

// Client runs S3 operations.
type Client struct{ api API }

// New returns a Client over api.
func New(api API) *Client { return &Client{api: api} }

// NoSuchBucketError says a bucket does not exist.
type NoSuchBucketError struct{ Bucket string }

func (e *NoSuchBucketError) Error() string { return fmt.Sprintf("bucket %s does not exist", e.Bucket) }

// IsNoSuchBucket reports whether err says a bucket does not exist.
func IsNoSuchBucket(err error) bool {
	var nb *NoSuchBucketError
	return errors.As(err, &nb)
}

// Exists reports whether bucket holds key.
func (c *Client) Exists(ctx context.Context, bucket, key string) (bool, error) {
	_, err := c.api.HeadObject(ctx, &awss3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	var nf *types.NotFound
	if errors.As(err, &nf) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("head s3://%s/%s: %w", bucket, key, typed(err, bucket))
	}
	return true, nil
}

// Get returns the content of bucket/key, refusing one over limit bytes.
func (c *Client) Get(ctx context.Context, bucket, key string, limit int64) ([]byte, error) {
	out, err := c.api.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return nil, fmt.Errorf("get s3://%s/%s: %w", bucket, key, typed(err, bucket))
	}
	defer out.Body.Close()
	body, err := io.ReadAll(io.LimitReader(out.Body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("get s3://%s/%s: %w", bucket, key, err)
	}
	if int64(len(body)) > limit {
		return nil, fmt.Errorf("get s3://%s/%s: over %d bytes", bucket, key, limit)
	}
	return body, nil
}

// Object is what Put stores.
type Object struct {
	Bucket, Key string
	Body        io.Reader
	Size        int64
	// KMSKeyID encrypts with that key; objects are AES-256 encrypted without it.
	KMSKeyID string
	Metadata map[string]string
}

// Put stores o.
func (c *Client) Put(ctx context.Context, o Object) error {
	in := &awss3.PutObjectInput{Bucket: aws.String(o.Bucket), Key: aws.String(o.Key), Body: o.Body,
		ContentLength: aws.Int64(o.Size), ServerSideEncryption: types.ServerSideEncryptionAes256}
	if o.KMSKeyID != "" {
		in.ServerSideEncryption, in.SSEKMSKeyId = types.ServerSideEncryptionAwsKms, aws.String(o.KMSKeyID)
	}
	if len(o.Metadata) > 0 {
		in.Metadata = o.Metadata
	}
	if _, err := c.api.PutObject(ctx, in); err != nil {
		return fmt.Errorf("upload s3://%s/%s: %w", o.Bucket, o.Key, typed(err, o.Bucket))
	}
	return nil
}

// Delete deletes key from bucket.
func (c *Client) Delete(ctx context.Context, bucket, key string) error {
	if _, err := c.api.DeleteObject(ctx, &awss3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}); err != nil {
		return fmt.Errorf("delete s3://%s/%s: %w", bucket, key, typed(err, bucket))
	}
	return nil
}

// List returns every key of bucket under prefix, following continuation tokens.
func (c *Client) List(ctx context.Context, bucket, prefix string) ([]string, error) {
	in := &awss3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix)}
	var keys []string
	for {
		out, err := c.api.ListObjectsV2(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("list s3://%s/%s: %w", bucket, prefix, typed(err, bucket))
		}
		for _, o := range out.Contents {
			keys = append(keys, aws.ToString(o.Key))
		}
		if !aws.ToBool(out.IsTruncated) {
			return keys, nil
		}
		in.ContinuationToken = out.NextContinuationToken
	}
}

// typed turns the SDK's NoSuchBucket into NoSuchBucketError.
func typed(err error, bucket string) error {
	var nb *types.NoSuchBucket
	if errors.As(err, &nb) {
		return &NoSuchBucketError{Bucket: bucket}
	}
	return err
}
