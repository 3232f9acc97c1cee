package ecr_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/samship/samship/internal/ecr"
	"github.com/samship/samship/internal/ecr/ecrfake"
)

func images(n int) []ecrfake.Image {
	var out []ecrfake.Image
	for i := range n {
		out = append(out, ecrfake.Image{Digest: fmt.Sprintf("sha256:%064d", i), Tags: []string{fmt.Sprintf("t%d", i)}})
	}
	return out
}

func TestListAndDelete(t *testing.T) {
	tests := []struct {
		name      string
		n, page   int
		lost      bool
		wantCalls int // BatchDeleteImage calls
	}{
		{name: "empty", n: 0, wantCalls: 0},
		{name: "one batch", n: 3, wantCalls: 1},
		{name: "paged listing, batches of 100", n: 250, page: 7, wantCalls: 3},
		{name: "lost answer counts as deleted", n: 5, lost: true, wantCalls: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			fake := ecrfake.New()
			fake.PageSize = tt.page
			fake.Put("repo", images(tt.n)...)
			fake.Put("repo", ecrfake.Image{Digest: "sha256:untagged"})
			c := ecr.New(fake)
			ids, err := c.ListImages(ctx, "repo")
			if err != nil || len(ids) != tt.n+1 {
				t.Fatalf("ListImages = %d ids, %v; want %d", len(ids), err, tt.n+1)
			}
			fake.Lost, fake.Calls = tt.lost, nil
			if err := c.DeleteImages(ctx, "repo", ids); err != nil {
				t.Fatal(err)
			}
			if got := len(fake.Images("repo")); got != 0 {
				t.Errorf("%d images left", got)
			}
			if got := len(fake.Calls); got != (tt.n+1+99)/100 {
				t.Errorf("BatchDeleteImage calls = %d, want %d", got, (tt.n+1+99)/100)
			}
		})
	}
}

func TestRepositoryNotFound(t *testing.T) {
	ctx := context.Background()
	c := ecr.New(ecrfake.New())
	_, err := c.ListImages(ctx, "gone")
	if !ecr.IsRepositoryNotFound(err) {
		t.Errorf("ListImages: %v, want RepositoryNotFoundError", err)
	}
	if err := c.DeleteImages(ctx, "gone", []ecr.ImageID{{Tag: "x"}}); !ecr.IsRepositoryNotFound(err) {
		t.Errorf("DeleteImages: %v, want RepositoryNotFoundError", err)
	}
	if _, err := c.DeleteTag(ctx, "gone", "x"); !ecr.IsRepositoryNotFound(err) {
		t.Errorf("DeleteTag: %v, want RepositoryNotFoundError", err)
	}
}

func TestDeleteTag(t *testing.T) {
	ctx := context.Background()
	fake := ecrfake.New()
	fake.Put("repo", ecrfake.Image{Digest: "sha256:a", Tags: []string{"one", "two"}})
	c := ecr.New(fake)
	for _, tt := range []struct {
		tag  string
		want bool
		left int
	}{{"one", true, 1}, {"one", false, 1}, {"two", true, 0}} {
		got, err := c.DeleteTag(ctx, "repo", tt.tag)
		if err != nil || got != tt.want || len(fake.Images("repo")) != tt.left {
			t.Errorf("DeleteTag(%s) = %v, %v with %d images left; want %v with %d", tt.tag, got, err, len(fake.Images("repo")), tt.want, tt.left)
		}
	}
}

func TestCredentials(t *testing.T) {
	tests := []struct {
		name, token, user, pass, err string
	}{
		{name: "user and password", token: "AWS:secret:with:colons", user: "AWS", pass: "secret:with:colons"},
		{name: "no colon", token: "nopassword", err: "decode ECR authorization token: no user:password"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := ecrfake.New()
			fake.Token = tt.token
			user, pass, err := ecr.New(fake).Credentials(context.Background())
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("err = %v, want %s", err, tt.err)
				}
				return
			}
			if err != nil || user != tt.user || pass != tt.pass {
				t.Errorf("Credentials = %q, %q, %v", user, pass, err)
			}
		})
	}
}
