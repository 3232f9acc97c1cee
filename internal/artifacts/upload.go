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
	"github.com/aws/smithy-go"
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
	// Force uploads even when the key already exists (--force-upload).
	Force bool
	// Log receives SAM CLI's "File with same data already exists" and upload lines.
	Log io.Writer
}

// Key returns SAM CLI's key for a template: [prefix/]md5(body).template.
func (u *Uploader) Key(body []byte) string {
	sum := md5.Sum(body)
	key := hex.EncodeToString(sum[:]) + ".template"
	if u.Prefix != "" {
		key = strings.TrimSuffix(u.Prefix, "/") + "/" + key
	}
	return key
}

// URL returns the canonical path-style URL CloudFormation reads a template from.
func (u *Uploader) URL(key string) string {
	domain := "amazonaws.com"
	if strings.HasPrefix(u.Region, "cn-") {
		domain = "amazonaws.com.cn"
	}
	return fmt.Sprintf("https://s3.%s.%s/%s/%s", u.Region, domain, u.Bucket, key)
}

// UploadTemplate stores body unless an object with the same key exists, and returns the
// template URL.
func (u *Uploader) UploadTemplate(ctx context.Context, body []byte) (string, error) {
	key := u.Key(body)
	if !u.Force {
		_, err := u.S3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(u.Bucket), Key: aws.String(key)})
		if err == nil {
			fmt.Fprintf(u.Log, "\n\tFile with same data already exists at %s, skipping upload\n", key)
			return u.URL(key), nil
		}
		if !isNotFound(err) {
			return "", fmt.Errorf("check s3://%s/%s: %w", u.Bucket, key, err)
		}
	}
	in := &s3.PutObjectInput{Bucket: aws.String(u.Bucket), Key: aws.String(key), Body: bytes.NewReader(body),
		ContentLength: aws.Int64(int64(len(body))), ServerSideEncryption: s3types.ServerSideEncryptionAes256}
	if u.KMSKeyID != "" {
		in.ServerSideEncryption, in.SSEKMSKeyId = s3types.ServerSideEncryptionAwsKms, aws.String(u.KMSKeyID)
	}
	if _, err := u.S3.PutObject(ctx, in); err != nil {
		var nb *s3types.NoSuchBucket
		if errors.As(err, &nb) {
			return "", fmt.Errorf("upload template to s3://%s: the bucket does not exist", u.Bucket)
		}
		return "", fmt.Errorf("upload template to s3://%s/%s: %w", u.Bucket, key, err)
	}
	fmt.Fprintf(u.Log, "\n\tUploaded %s  %d bytes\n", key, len(body))
	return u.URL(key), nil
}

func isNotFound(err error) bool {
	var nf *s3types.NotFound
	var nk *s3types.NoSuchKey
	var ae smithy.APIError
	if errors.As(err, &nf) || errors.As(err, &nk) {
		return true
	}
	return errors.As(err, &ae) && (ae.ErrorCode() == "NotFound" || ae.ErrorCode() == "404")
}
