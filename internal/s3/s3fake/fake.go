// Package s3fake is an in-memory S3 for unit tests of code built on s3: buckets of objects
// with their encryption and metadata, paged listings, and S3's not-found errors.
package s3fake

import (
	"context"
	"io"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// Object is one stored object.
type Object struct {
	Body       []byte
	Encryption string // AES256 or aws:kms
	KMSKeyID   string
	Metadata   map[string]string
}

// S3 is the fake. Buckets holds the objects by bucket and key; a bucket absent from it does
// not exist.
type S3 struct {
	mu      sync.Mutex
	Buckets map[string]map[string]Object
	// PageSize is how many keys a ListObjectsV2 page holds (1000, S3's maximum, when 0).
	PageSize int
	// Calls records "HeadObject KEY", "GetObject KEY", "PutObject KEY", "DeleteObject KEY" and
	// "ListObjectsV2 PREFIX".
	Calls []string
	// Before, when set, runs before each call is carried out, with the lock held, given the
	// call as Calls records it.
	Before func(op string)
}

// New returns an S3 holding the named empty buckets.
func New(buckets ...string) *S3 {
	f := &S3{Buckets: map[string]map[string]Object{}}
	for _, b := range buckets {
		f.Buckets[b] = map[string]Object{}
	}
	return f
}

// Keys returns the keys of bucket, sorted.
func (f *S3) Keys(bucket string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var keys []string
	for k := range f.Buckets[bucket] {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Object returns the object at bucket/key.
func (f *S3) Object(bucket, key string) (Object, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	o, ok := f.Buckets[bucket][key]
	return o, ok
}

func (f *S3) call(op string) {
	f.Calls = append(f.Calls, op)
	if f.Before != nil {
		f.Before(op)
	}
}

func (f *S3) bucket(name string) (map[string]Object, error) {
	b, ok := f.Buckets[name]
	if !ok {
		return nil, &types.NoSuchBucket{Message: aws.String("The specified bucket does not exist")}
	}
	return b, nil
}

// HeadObject implements s3.API; S3 answers a missing object (or bucket) with NotFound.
func (f *S3) HeadObject(_ context.Context, in *s3.HeadObjectInput, _ ...func(*s3.Options)) (*s3.HeadObjectOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.call("HeadObject " + aws.ToString(in.Key))
	o, ok := f.Buckets[aws.ToString(in.Bucket)][aws.ToString(in.Key)]
	if !ok {
		return nil, &types.NotFound{}
	}
	return &s3.HeadObjectOutput{ContentLength: aws.Int64(int64(len(o.Body)))}, nil
}

// GetObject implements s3.API; S3 answers a missing object with NoSuchKey.
func (f *S3) GetObject(_ context.Context, in *s3.GetObjectInput, _ ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.call("GetObject " + aws.ToString(in.Key))
	b, err := f.bucket(aws.ToString(in.Bucket))
	if err != nil {
		return nil, err
	}
	o, ok := b[aws.ToString(in.Key)]
	if !ok {
		return nil, &types.NoSuchKey{}
	}
	return &s3.GetObjectOutput{Body: io.NopCloser(strings.NewReader(string(o.Body))), ContentLength: aws.Int64(int64(len(o.Body)))}, nil
}

// PutObject implements s3.API.
func (f *S3) PutObject(_ context.Context, in *s3.PutObjectInput, _ ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.call("PutObject " + aws.ToString(in.Key))
	b, err := f.bucket(aws.ToString(in.Bucket))
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(in.Body)
	if err != nil {
		return nil, err
	}
	b[aws.ToString(in.Key)] = Object{Body: body, Encryption: string(in.ServerSideEncryption),
		KMSKeyID: aws.ToString(in.SSEKMSKeyId), Metadata: in.Metadata}
	return &s3.PutObjectOutput{}, nil
}

// DeleteObject implements s3.API; deleting a missing key succeeds, as on S3.
func (f *S3) DeleteObject(_ context.Context, in *s3.DeleteObjectInput, _ ...func(*s3.Options)) (*s3.DeleteObjectOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.call("DeleteObject " + aws.ToString(in.Key))
	b, err := f.bucket(aws.ToString(in.Bucket))
	if err != nil {
		return nil, err
	}
	delete(b, aws.ToString(in.Key))
	return &s3.DeleteObjectOutput{}, nil
}

// ListObjectsV2 implements s3.API, in key order, a page at a time.
func (f *S3) ListObjectsV2(_ context.Context, in *s3.ListObjectsV2Input, _ ...func(*s3.Options)) (*s3.ListObjectsV2Output, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.call("ListObjectsV2 " + aws.ToString(in.Prefix))
	b, err := f.bucket(aws.ToString(in.Bucket))
	if err != nil {
		return nil, err
	}
	var keys []string
	for k := range b {
		if strings.HasPrefix(k, aws.ToString(in.Prefix)) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	start, _ := strconv.Atoi(aws.ToString(in.ContinuationToken))
	size := f.PageSize
	if size == 0 {
		size = 1000
	}
	out := &s3.ListObjectsV2Output{IsTruncated: aws.Bool(start+size < len(keys))}
	for _, k := range keys[start:min(start+size, len(keys))] {
		out.Contents = append(out.Contents, types.Object{Key: aws.String(k)})
	}
	if start+size < len(keys) {
		out.NextContinuationToken = aws.String(strconv.Itoa(start + size))
	}
	return out, nil
}
