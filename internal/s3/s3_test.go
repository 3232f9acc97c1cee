package s3_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/samship/samship/internal/s3"
	"github.com/samship/samship/internal/s3/s3fake"
)

func TestPutExistsDelete(t *testing.T) {
	ctx := context.Background()
	fake := s3fake.New("b")
	c := s3.New(fake)
	tests := []struct {
		name           string
		o              s3.Object
		wantEncryption string
	}{
		{name: "AES-256 by default", o: s3.Object{Bucket: "b", Key: "k1", Body: strings.NewReader("x"), Size: 1}, wantEncryption: "AES256"},
		{name: "KMS key and metadata", o: s3.Object{Bucket: "b", Key: "k2", Body: strings.NewReader("y"), Size: 1, KMSKeyID: "key", Metadata: map[string]string{"a": "b"}}, wantEncryption: "aws:kms"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if ok, err := c.Exists(ctx, "b", tt.o.Key); ok || err != nil {
				t.Fatalf("Exists before Put = %v, %v", ok, err)
			}
			if err := c.Put(ctx, tt.o); err != nil {
				t.Fatal(err)
			}
			got, _ := fake.Object("b", tt.o.Key)
			if got.Encryption != tt.wantEncryption || got.KMSKeyID != tt.o.KMSKeyID || len(got.Metadata) != len(tt.o.Metadata) {
				t.Errorf("stored %+v", got)
			}
			if ok, err := c.Exists(ctx, "b", tt.o.Key); !ok || err != nil {
				t.Errorf("Exists after Put = %v, %v", ok, err)
			}
			if err := c.Delete(ctx, "b", tt.o.Key); err != nil {
				t.Fatal(err)
			}
			if ok, _ := c.Exists(ctx, "b", tt.o.Key); ok {
				t.Error("still there after Delete")
			}
		})
	}
}

func TestList(t *testing.T) {
	fake := s3fake.New("b")
	fake.PageSize = 3
	c := s3.New(fake)
	for i := range 10 {
		_ = c.Put(context.Background(), s3.Object{Bucket: "b", Key: fmt.Sprintf("app/%02d", i), Body: strings.NewReader("")})
	}
	_ = c.Put(context.Background(), s3.Object{Bucket: "b", Key: "other/x", Body: strings.NewReader("")})
	keys, err := c.List(context.Background(), "b", "app/")
	if err != nil || len(keys) != 10 || keys[9] != "app/09" {
		t.Errorf("List = %v, %v", keys, err)
	}
}

func TestNoSuchBucket(t *testing.T) {
	c := s3.New(s3fake.New())
	err := c.Put(context.Background(), s3.Object{Bucket: "gone", Key: "k", Body: strings.NewReader("")})
	if !s3.IsNoSuchBucket(err) {
		t.Errorf("Put: %v, want NoSuchBucketError", err)
	}
	if _, err := c.List(context.Background(), "gone", ""); !s3.IsNoSuchBucket(err) {
		t.Errorf("List: %v, want NoSuchBucketError", err)
	}
}

func TestGet(t *testing.T) {
	ctx := context.Background()
	fake := s3fake.New("b")
	fake.Buckets["b"]["k"] = s3fake.Object{Body: []byte("0123456789")}
	c := s3.New(fake)
	tests := map[string]struct {
		bucket, key string
		limit       int64
		want        string
		wantErr     string
	}{
		"whole":          {"b", "k", 10, "0123456789", ""},
		"over the limit": {"b", "k", 9, "", "get s3://b/k: over 9 bytes"},
		"no such key":    {"b", "x", 10, "", "get s3://b/x: "},
		"no such bucket": {"nb", "k", 10, "", "bucket nb does not exist"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := c.Get(ctx, tc.bucket, tc.key, tc.limit)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("Get() = %q, %v; want error %q", got, err, tc.wantErr)
				}
				return
			}
			if err != nil || string(got) != tc.want {
				t.Errorf("Get() = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}
