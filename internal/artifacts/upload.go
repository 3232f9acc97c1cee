// Package artifacts puts what a deploy sends through S3 there, under SAM CLI's
// content-addressed keys and skipped when already present: templates (too large to send
// inline, nested ones, the companion stack's), and the local code and files a template names,
// zipped or as they are (package.go). It also finds or creates the managed bucket stack
// aws-sam-cli-managed-default that --resolve-s3 shares with SAM CLI (managed.go).
package artifacts

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"strings"

	"github.com/samship/samship/internal/imageref"
	"github.com/samship/samship/internal/s3"
)

// Objects is what the uploader needs from S3.
type Objects interface {
	Exists(ctx context.Context, bucket, key string) (bool, error)
	Put(ctx context.Context, o s3.Object) error
}

// Reporter hears what storing artifacts does; ui.Reporter shows it in SAM CLI's words.
type Reporter interface {
	AlreadyUploaded(key string)
	Uploaded(key string, size int64)
	CreatingResources()
	Created()
}

// Uploader puts templates into one bucket under an optional prefix.
type Uploader struct {
	S3       Objects
	Bucket   string
	Prefix   string
	Region   string
	KMSKeyID string
	// Metadata is set on every object put (--metadata).
	Metadata map[string]string
	// Force uploads even when the key already exists (--force-upload).
	Force bool
	// Report hears of each upload, and each upload skipped.
	Report Reporter
}

// Key returns SAM CLI's key for a template: [prefix/]md5(body).template.
func (u *Uploader) Key(body []byte) string { return u.prefixed(TemplateName(body)) }

// TemplateName is the object name SAM CLI stores a template under: md5(body).template.
func TemplateName(body []byte) string {
	sum := md5.Sum(body)
	return hex.EncodeToString(sum[:]) + ".template"
}

func (u *Uploader) prefixed(name string) string {
	if u.Prefix != "" {
		return strings.TrimSuffix(u.Prefix, "/") + "/" + name
	}
	return name
}

// URL returns the path-style URL CloudFormation reads a template from, on the endpoint SAM
// CLI's S3 client has (boto's: the global https://s3.amazonaws.com in us-east-1), so that a
// nested stack's TemplateURL is written as sam deploy writes it.
func (u *Uploader) URL(key string) string {
	if u.Region == "us-east-1" {
		return fmt.Sprintf("https://s3.amazonaws.com/%s/%s", u.Bucket, key)
	}
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
		u.Report.AlreadyUploaded(key)
		return nil
	}
	return u.put(ctx, key, body, size)
}

// exists reports whether the bucket holds key; errors other than "not found" count as absent
// and the upload that follows reports them.
func (u *Uploader) exists(ctx context.Context, key string) bool {
	ok, _ := u.S3.Exists(ctx, u.Bucket, key)
	return ok
}

func (u *Uploader) put(ctx context.Context, key string, body io.Reader, size int64) error {
	o := s3.Object{Bucket: u.Bucket, Key: key, Body: body, Size: size, KMSKeyID: u.KMSKeyID, Metadata: u.Metadata}
	if err := u.S3.Put(ctx, o); err != nil {
		if s3.IsNoSuchBucket(err) {
			return fmt.Errorf("upload to s3://%s: the bucket does not exist", u.Bucket)
		}
		return err
	}
	u.Report.Uploaded(key, size)
	return nil
}
