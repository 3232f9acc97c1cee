// Package ecrfake is an in-memory ECR for unit tests of code built on ecr: repositories of
// tagged and untagged images, paged listings, deletion failures as ECR reports them, and
// switches for lost answers and for running another deploy's step at a call.
package ecrfake

import (
	"context"
	"encoding/base64"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"
)

// Image is one image of a repository: its digest and tags (none for an untagged image), and
// what DescribeImages reports of it.
type Image struct {
	Digest string
	Tags   []string
	Size   int64
	Pushed time.Time
}

// ECR is the fake. Repos holds the images by repository name; a repository absent from it
// does not exist.
type ECR struct {
	mu    sync.Mutex
	Repos map[string][]Image
	// PageSize is how many ids a ListImages page holds (1000, ECR's maximum, when 0).
	PageSize int
	// Lost makes BatchDeleteImage delete, then answer as the SDK's retry of a lost answer
	// would: every image not found.
	Lost bool
	// Calls records "ListImages REPO", "DescribeImages REPO", "BatchDeleteImage REPO" and
	// "GetAuthorizationToken".
	Calls []string
	// Before, when set, runs before each call is carried out, with the lock held, given the
	// call as Calls records it.
	Before func(op string)
	// Token is the user:password GetAuthorizationToken returns ("AWS:password" when empty).
	Token string
	// Referenced holds digests an image index refers to: BatchDeleteImage refuses them, as
	// ECR does, with ImageReferencedByManifestList.
	Referenced map[string]bool
	// Scanning is the registry's scanning configuration (BASIC without rules when nil).
	Scanning *types.RegistryScanningConfiguration
}

// New returns an ECR with no repositories.
func New() *ECR { return &ECR{Repos: map[string][]Image{}} }

// Put adds images to repo, creating it.
func (f *ECR) Put(repo string, images ...Image) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.Repos[repo] = append(f.Repos[repo], images...)
}

// Images returns the images of repo.
func (f *ECR) Images(repo string) []Image {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Image(nil), f.Repos[repo]...)
}

func (f *ECR) call(op string) {
	f.Calls = append(f.Calls, op)
	if f.Before != nil {
		f.Before(op)
	}
}

func notFound(repo string) error {
	return &types.RepositoryNotFoundException{Message: aws.String("The repository with name '" + repo + "' does not exist in the registry")}
}

// ListImages implements ecr.API.
func (f *ECR) ListImages(_ context.Context, in *ecr.ListImagesInput, _ ...func(*ecr.Options)) (*ecr.ListImagesOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	repo := aws.ToString(in.RepositoryName)
	f.call("ListImages " + repo)
	images, ok := f.Repos[repo]
	if !ok {
		return nil, notFound(repo)
	}
	var ids []types.ImageIdentifier
	for _, img := range images {
		if len(img.Tags) == 0 {
			ids = append(ids, types.ImageIdentifier{ImageDigest: aws.String(img.Digest)})
		}
		for _, t := range img.Tags {
			ids = append(ids, types.ImageIdentifier{ImageDigest: aws.String(img.Digest), ImageTag: aws.String(t)})
		}
	}
	start, _ := strconv.Atoi(aws.ToString(in.NextToken))
	size := f.PageSize
	if size == 0 {
		size = 1000
	}
	out := &ecr.ListImagesOutput{ImageIds: ids[start:min(start+size, len(ids))]}
	if start+size < len(ids) {
		out.NextToken = aws.String(strconv.Itoa(start + size))
	}
	return out, nil
}

// BatchDeleteImage implements ecr.API: an id with a tag deletes that tag (the image goes
// with its last tag), an id with only a digest deletes the image.
func (f *ECR) BatchDeleteImage(_ context.Context, in *ecr.BatchDeleteImageInput, _ ...func(*ecr.Options)) (*ecr.BatchDeleteImageOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	repo := aws.ToString(in.RepositoryName)
	f.call("BatchDeleteImage " + repo)
	images, ok := f.Repos[repo]
	if !ok {
		return nil, notFound(repo)
	}
	out := &ecr.BatchDeleteImageOutput{}
	for _, id := range in.ImageIds {
		if f.Referenced[aws.ToString(id.ImageDigest)] {
			out.Failures = append(out.Failures, types.ImageFailure{ImageId: &id, FailureCode: types.ImageFailureCodeImageReferencedByManifestList,
				FailureReason: aws.String("Requested image referenced by manifest list")})
			continue
		}
		var found bool
		images, found = remove(images, aws.ToString(id.ImageDigest), aws.ToString(id.ImageTag))
		if !found || f.Lost {
			out.Failures = append(out.Failures, types.ImageFailure{ImageId: &id,
				FailureCode: types.ImageFailureCodeImageNotFound, FailureReason: aws.String("Requested image not found")})
			continue
		}
		out.ImageIds = append(out.ImageIds, id)
	}
	f.Repos[repo] = images
	return out, nil
}

// remove deletes the image or tag id names from images.
func remove(images []Image, digest, tag string) ([]Image, bool) {
	for i, img := range images {
		if digest != "" && img.Digest != digest {
			continue
		}
		if tag == "" {
			return append(images[:i:i], images[i+1:]...), true
		}
		for j, t := range img.Tags {
			if t != tag {
				continue
			}
			img.Tags = append(img.Tags[:j:j], img.Tags[j+1:]...)
			if len(img.Tags) == 0 {
				return append(images[:i:i], images[i+1:]...), true
			}
			images[i] = img
			return images, true
		}
	}
	return images, false
}

// GetAuthorizationToken implements ecr.API.
func (f *ECR) GetAuthorizationToken(context.Context, *ecr.GetAuthorizationTokenInput, ...func(*ecr.Options)) (*ecr.GetAuthorizationTokenOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.call("GetAuthorizationToken")
	token := f.Token
	if token == "" {
		token = "AWS:password"
	}
	return &ecr.GetAuthorizationTokenOutput{AuthorizationData: []types.AuthorizationData{
		{AuthorizationToken: aws.String(base64.StdEncoding.EncodeToString([]byte(token)))}}}, nil
}

// GetRegistryScanningConfiguration implements ecr.API.
func (f *ECR) GetRegistryScanningConfiguration(context.Context, *ecr.GetRegistryScanningConfigurationInput, ...func(*ecr.Options)) (*ecr.GetRegistryScanningConfigurationOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.call("GetRegistryScanningConfiguration")
	cfg := f.Scanning
	if cfg == nil {
		cfg = &types.RegistryScanningConfiguration{ScanType: types.ScanTypeBasic}
	}
	return &ecr.GetRegistryScanningConfigurationOutput{RegistryId: aws.String("123456789012"), ScanningConfiguration: cfg}, nil
}

// DescribeImages implements ecr.API: one detail per image, paged like ListImages.
func (f *ECR) DescribeImages(_ context.Context, in *ecr.DescribeImagesInput, _ ...func(*ecr.Options)) (*ecr.DescribeImagesOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	repo := aws.ToString(in.RepositoryName)
	f.call("DescribeImages " + repo)
	images, ok := f.Repos[repo]
	if !ok {
		return nil, notFound(repo)
	}
	start, _ := strconv.Atoi(aws.ToString(in.NextToken))
	size := f.PageSize
	if size == 0 {
		size = 1000
	}
	out := &ecr.DescribeImagesOutput{}
	for _, img := range images[start:min(start+size, len(images))] {
		out.ImageDetails = append(out.ImageDetails, types.ImageDetail{ImageDigest: aws.String(img.Digest),
			ImageTags: append([]string(nil), img.Tags...), ImageSizeInBytes: aws.Int64(img.Size), ImagePushedAt: aws.Time(img.Pushed)})
	}
	if start+size < len(images) {
		out.NextToken = aws.String(strconv.Itoa(start + size))
	}
	return out, nil
}
