package testenv

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// TestECRFrontIsOneStore checks that what is pushed to the registry is what moto's ECR API
// lists, and that what the ECR API deletes is gone from the registry.
func TestECRFrontIsOneStore(t *testing.T) {
	Needs(t, "the local AWS")
	ctx := context.Background()
	front := strings.TrimPrefix(SharedECR(t), "http://")
	cfg, err := SharedMoto(t).Config(ctx)
	if err != nil {
		t.Fatal(err)
	}
	eu := ecr.NewFromConfig(cfg, func(o *ecr.Options) { o.Region = "eu-west-2" })
	if _, err := eu.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("front/app")}); err != nil {
		t.Fatal(err)
	}
	img, err := random.Image(256, 2)
	if err != nil {
		t.Fatal(err)
	}
	ref := func(s string) name.Reference {
		r, err := name.ParseReference(front+"/"+s, name.Insecure)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	count := func() int {
		res, err := eu.ListImages(ctx, &ecr.ListImagesInput{RepositoryName: aws.String("front/app")})
		if err != nil {
			t.Fatal(err)
		}
		return len(res.ImageIds)
	}

	if err := remote.Write(ref("front/missing:v1"), img); err == nil || !strings.Contains(err.Error(), "NAME_UNKNOWN") {
		t.Errorf("push to a repository ECR does not know: %v, want NAME_UNKNOWN", err)
	}
	if err := remote.Write(ref("front/app:v1"), img); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 1 {
		t.Fatalf("ECR lists %d images after one push", n)
	}
	digest, _ := img.Digest()
	got, err := eu.BatchGetImage(ctx, &ecr.BatchGetImageInput{RepositoryName: aws.String("front/app"), ImageIds: []ecrtypes.ImageIdentifier{{ImageTag: aws.String("v1")}}})
	if err != nil || len(got.Images) != 1 || aws.ToString(got.Images[0].ImageId.ImageDigest) != digest.String() {
		t.Fatalf("ECR holds %+v (%v), want digest %s", got, err, digest)
	}
	if _, err := remote.Head(ref("front/app:v1")); err != nil {
		t.Fatalf("HEAD of a pushed tag: %v", err)
	}

	// Deleted through the ECR API: gone from the registry too.
	if _, err := eu.BatchDeleteImage(ctx, &ecr.BatchDeleteImageInput{RepositoryName: aws.String("front/app"), ImageIds: []ecrtypes.ImageIdentifier{{ImageTag: aws.String("v1")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := remote.Head(ref("front/app:v1")); err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("HEAD after BatchDeleteImage: %v, want 404", err)
	}

	// Deleted through the registry: gone from ECR.
	if err := remote.Write(ref("front/app:v2"), img); err != nil {
		t.Fatal(err)
	}
	if err := remote.Delete(ref("front/app@" + digest.String())); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 0 {
		t.Errorf("ECR lists %d images after the registry deleted the manifest", n)
	}

	// The repository deleted after the front remembered its region: its tags are gone, and
	// a push to it is refused, as ECR answers.
	if err := remote.Write(ref("front/app:v3"), img); err != nil {
		t.Fatal(err)
	}
	if _, err := eu.DeleteRepository(ctx, &ecr.DeleteRepositoryInput{RepositoryName: aws.String("front/app"), Force: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := remote.Get(ref("front/app:v3")); err == nil || !strings.Contains(err.Error(), "NAME_UNKNOWN") {
		t.Errorf("GET in a deleted repository: %v, want NAME_UNKNOWN", err)
	}
	if err := remote.Write(ref("front/app:v4"), img); err == nil || !strings.Contains(err.Error(), "NAME_UNKNOWN") {
		t.Errorf("push to a deleted repository: %v, want NAME_UNKNOWN", err)
	}
}
