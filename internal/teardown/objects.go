package teardown

import (
	"context"

	"github.com/samship/samship/internal/companion"
	"github.com/samship/samship/internal/ecr"
	"github.com/samship/samship/internal/imageref"
	"github.com/samship/samship/internal/registry"
)

// Images is what teardown needs from ECR (ecr.Client).
type Images interface {
	companion.Images
	DeleteTag(ctx context.Context, repo, tag string) (bool, error)
}

// Objects is what teardown needs from S3 (s3.Client).
type Objects interface {
	Exists(ctx context.Context, bucket, key string) (bool, error)
	Get(ctx context.Context, bucket, key string, limit int64) ([]byte, error)
	Delete(ctx context.Context, bucket, key string) error
	List(ctx context.Context, bucket, prefix string) ([]string, error)
}

// deleteObject deletes one object, saying so, or that it was not there.
func deleteObject(ctx context.Context, e Env, bucket, key string, res *Result) error {
	ok, err := e.Objects.Exists(ctx, bucket, key)
	if err != nil {
		return err
	}
	if !ok {
		e.UI.NoSuchObject(key)
		return nil
	}
	e.UI.DeletingObject(key)
	if err := e.Objects.Delete(ctx, bucket, key); err != nil {
		return err
	}
	res.ObjectsDeleted = append(res.ObjectsDeleted, Object{Bucket: bucket, Key: key})
	return nil
}

// deleteFolder deletes every object under prefix/ (every page, where SAM CLI stops after the
// first thousand).
func deleteFolder(ctx context.Context, e Env, bucket, prefix string, res *Result) error {
	keys, err := e.Objects.List(ctx, bucket, prefix+"/")
	if err != nil {
		return err
	}
	for _, k := range keys {
		e.UI.DeletingObject(k)
		if err := e.Objects.Delete(ctx, bucket, k); err != nil {
			return err
		}
		res.ObjectsDeleted = append(res.ObjectsDeleted, Object{Bucket: bucket, Key: k})
	}
	return nil
}

// deleteImage deletes the tag of an image a function used, unless it is in a companion
// repository (those go, or stay, with the companion stack) or was not pushed by samship or
// SAM CLI: a prebuilt image in someone's own repository may be what other stacks run, so only
// a tag of the push scheme (<name>-<12 hex>-<tag>) is deleted (sam delete deletes any).
func deleteImage(ctx context.Context, e Env, ref string, companionRepos map[string]bool, res *Result) error {
	repo, tag, _ := imageref.Split(ref)
	if tag == "" || repo == "" {
		return nil // by digest: not a tag samship or SAM CLI pushed
	}
	if companionRepos[repo] {
		return nil
	}
	if !registry.IsPushTag(tag) {
		e.UI.KeepingImage(tag, repo)
		res.ImagesKept = append(res.ImagesKept, Image{Repository: repo, Tag: tag})
		return nil
	}
	deleted, err := e.Images.DeleteTag(ctx, repo, tag)
	if ecr.IsRepositoryNotFound(err) || err == nil && !deleted {
		e.UI.NoSuchImage(tag, repo)
		return nil
	}
	if err != nil {
		return err
	}
	e.UI.DeletingImage(tag, repo)
	res.ImagesDeleted = append(res.ImagesDeleted, Image{Repository: repo, Tag: tag})
	return nil
}
