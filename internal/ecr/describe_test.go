package ecr_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/samship/samship/internal/ecr"
	"github.com/samship/samship/internal/ecr/ecrfake"
)

func TestDescribe(t *testing.T) {
	tests := []struct {
		name    string
		n, page int
	}{
		{name: "empty", n: 0},
		{name: "one page", n: 3},
		{name: "every page", n: 25, page: 7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := ecrfake.New()
			fake.PageSize = tt.page
			pushed := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
			fake.Put("repo")
			for i := range tt.n {
				fake.Put("repo", ecrfake.Image{Digest: fmt.Sprintf("sha256:%064d", i), Tags: []string{"a", "b"}, Size: int64(i), Pushed: pushed.Add(time.Duration(i) * time.Hour)})
			}
			got, err := ecr.New(fake).Describe(context.Background(), "repo")
			if err != nil || len(got) != tt.n {
				t.Fatalf("Describe = %d images, %v; want %d", len(got), err, tt.n)
			}
			for i, img := range got {
				if img.Digest != fmt.Sprintf("sha256:%064d", i) || len(img.Tags) != 2 || img.Size != int64(i) || !img.Pushed.Equal(pushed.Add(time.Duration(i)*time.Hour)) {
					t.Errorf("image %d = %+v", i, img)
				}
			}
		})
	}
	if _, err := ecr.New(ecrfake.New()).Describe(context.Background(), "gone"); !ecr.IsRepositoryNotFound(err) {
		t.Errorf("a missing repository: %v, want RepositoryNotFoundError", err)
	}
}

func TestDeleteDigests(t *testing.T) {
	fake := ecrfake.New()
	for i := range 250 {
		fake.Put("repo", ecrfake.Image{Digest: fmt.Sprintf("sha256:%064d", i), Tags: []string{"a", "b"}})
	}
	fake.Referenced = map[string]bool{fmt.Sprintf("sha256:%064d", 7): true}
	var digests []string
	for i := range 250 {
		digests = append(digests, fmt.Sprintf("sha256:%064d", i))
	}
	digests = append(digests, "sha256:gone") // deleted already: counts as done
	kept, err := ecr.New(fake).DeleteDigests(context.Background(), "repo", digests)
	if err != nil || len(kept) != 1 || kept[0] != fmt.Sprintf("sha256:%064d", 7) {
		t.Fatalf("DeleteDigests = %v, %v; want the referenced one kept", kept, err)
	}
	if left := fake.Images("repo"); len(left) != 1 {
		t.Errorf("%d images left, want the referenced one", len(left))
	}
	calls := 0
	for _, c := range fake.Calls {
		if c == "BatchDeleteImage repo" {
			calls++
		}
	}
	if calls != 3 {
		t.Errorf("%d BatchDeleteImage calls for 251 digests, want 3", calls)
	}
	if _, err := ecr.New(fake).DeleteDigests(context.Background(), "nope", digests[:1]); !ecr.IsRepositoryNotFound(err) {
		t.Errorf("a missing repository: %v", err)
	}
}
