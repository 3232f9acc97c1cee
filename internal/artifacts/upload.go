// Package artifacts stores deployment artifacts in S3: templates too large to send inline
// (content-addressed keys, skipped when already present, as SAM CLI does) and the managed
// artifact bucket stack aws-sam-cli-managed-default that --resolve-s3 shares with SAM CLI.
package artifacts

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/samship/samship/internal/imageref"
)

// S3API lists the S3 methods the uploader calls.
type S3API interface {
	HeadObject(context.Context, *s3.HeadObjectInput, ...func(*s3.Options)) (*s3.HeadObjectOutput, error)
	PutObject(context.Context, *s3.PutObjectInput, ...func(*s3.Options)) (*s3.PutObjectOutput, error)
}

// Uploader puts templates into one bucket under an optional prefix.
type Uploader struct {
	S3       S3API
	Bucket   string
	Prefix   string
	Region   string
	KMSKeyID string
	// Metadata is set on every object put (--metadata).
	Metadata map[string]string
	// Force uploads even when the key already exists (--force-upload).
	Force bool
	// Log receives SAM CLI's "File with same data already exists" and upload lines.
	Log io.Writer
}

// Key returns SAM CLI's key for a template: [prefix/]md5(body).template.
func (u *Uploader) Key(body []byte) string {
	sum := md5.Sum(body)
	return u.prefixed(hex.EncodeToString(sum[:]) + ".template")
}

func (u *Uploader) prefixed(name string) string {
	if u.Prefix != "" {
		return strings.TrimSuffix(u.Prefix, "/") + "/" + name
	}
	return name
}

// URL returns the canonical path-style URL CloudFormation reads a template from.
func (u *Uploader) URL(key string) string {
	return fmt.Sprintf("https://s3.%s.%s/%s/%s", u.Region, imageref.URLSuffix(u.Region), u.Bucket, key)
}

// UploadTemplate stores body unless an object with the same key exists, and returns the
// template URL.
func (u *Uploader) UploadTemplate(ctx context.Context, body []byte) (string, error) {
	key := u.Key(body)
	if err := u.upload(ctx, key, bytes.NewReader(body), int64(len(body))); err != nil {
		return "", err
	}
	return u.URL(key), nil
}

// upload stores body under key unless an object with that key exists (and not Force).
func (u *Uploader) upload(ctx context.Context, key string, body io.Reader, size int64) error {
	if !u.Force && u.exists(ctx, key) {
		fmt.Fprintf(u.Log, "\n\tFile with same data already exists at %s, skipping upload\n", key)
		return nil
	}
	return u.put(ctx, key, body, size)
}

// exists reports whether the bucket holds key; errors other than "not found" count as absent
// and the upload that follows reports them.
func (u *Uploader) exists(ctx context.Context, key string) bool {
	_, err := u.S3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(u.Bucket), Key: aws.String(key)})
	return err == nil
}

func (u *Uploader) put(ctx context.Context, key string, body io.Reader, size int64) error {
	in := &s3.PutObjectInput{Bucket: aws.String(u.Bucket), Key: aws.String(key), Body: body,
		ContentLength: aws.Int64(size), ServerSideEncryption: s3types.ServerSideEncryptionAes256}
	if u.KMSKeyID != "" {
		in.ServerSideEncryption, in.SSEKMSKeyId = s3types.ServerSideEncryptionAwsKms, aws.String(u.KMSKeyID)
	}
	if len(u.Metadata) > 0 {
		in.Metadata = u.Metadata
	}
	if _, err := u.S3.PutObject(ctx, in); err != nil {
		var nb *s3types.NoSuchBucket
		if errors.As(err, &nb) {
			return fmt.Errorf("upload to s3://%s: the bucket does not exist", u.Bucket)
		}
		return fmt.Errorf("upload s3://%s/%s: %w", u.Bucket, key, err)
	}
	fmt.Fprintf(u.Log, "\n\tUploaded %s  %d bytes\n", key, size)
	return nil
}
