package baseimage_test

import (
	"context"
	"testing"
)

func TestPullReresolves(t *testing.T) {
	host := registry(t)
	dir := t.TempDir()
	const ref = "public.ecr.aws/test/repush:1"
	ctx := context.Background()
	d1 := push(t, host, "test/repush:1", "provided:al2023", 10)
	c, _ := open(t, dir, host, false)
	if _, info, err := c.Image(ctx, ref, "linux/amd64"); err != nil || info.Digest != d1 {
		t.Fatalf("Image(%s) = %+v, %v, want %s", ref, info, err, d1)
	}
	d2 := push(t, host, "test/repush:1", "provided:al2023", 20)

	tests := []struct {
		name        string
		pull        bool
		want        string
		wantFetched bool
	}{
		{"cached resolution", false, d1.String(), false},
		{"pull", true, d2.String(), true},
		{"after pull", false, d2.String(), false},
		{"pull unchanged", true, d2.String(), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, tr := open(t, dir, host, tt.pull)
			img, info, err := c.Image(ctx, ref, "linux/amd64")
			if err != nil {
				t.Fatal(err)
			}
			if info.Digest.String() != tt.want || info.Fetched != tt.wantFetched {
				t.Errorf("Image(%s) with Pull %v = %s fetched %v, want %s fetched %v", ref, tt.pull, info.Digest, info.Fetched, tt.want, tt.wantFetched)
			}
			if !tt.wantFetched && tr.n.Load() != 0 {
				t.Errorf("Image(%s) made %d requests, want none", ref, tr.n.Load())
			}
			if err := readAll(img); err != nil {
				t.Errorf("read Image(%s): %v", ref, err)
			}
			if tt.name == "pull unchanged" {
				m, _ := img.Manifest()
				for _, l := range m.Layers {
					if tr.asked(l.Digest.String()) {
						t.Errorf("Image(%s) with Pull fetched layer %s again", ref, l.Digest)
					}
				}
			}
		})
	}
}

func TestPlatformSelection(t *testing.T) {
	host := registry(t)
	dir := t.TempDir()
	tests := []struct {
		ref, platform string
		runtime, arch string // of the stand-in it must be
	}{
		{"public.ecr.aws/lambda/python:3.12", "linux/amd64", "python:3.12", "amd64"},
		{"public.ecr.aws/lambda/python:3.12", "linux/arm64", "python:3.12", "arm64"},
		{"public.ecr.aws/lambda/python:3.12", "linux/arm64/v8", "python:3.12", "arm64"},
		{"public.ecr.aws/lambda/provided:al2023", "linux/arm64", "provided:al2023", "arm64"},
		{"public.ecr.aws/lambda/nodejs:22", "linux/amd64", "nodejs:22", "amd64"},
	}
	for _, tt := range tests {
		t.Run(tt.ref+" "+tt.platform, func(t *testing.T) {
			c, _ := open(t, dir, host, false)
			img, info, err := c.Image(context.Background(), tt.ref, tt.platform)
			if err != nil {
				t.Fatal(err)
			}
			want := standIn(t, tt.runtime, tt.arch, filler)
			if info.Digest != want {
				t.Errorf("Image(%s, %s) = %s, want %s", tt.ref, tt.platform, info.Digest, want)
			}
			cf, err := img.ConfigFile()
			if err != nil {
				t.Fatal(err)
			}
			if cf.Architecture != tt.arch {
				t.Errorf("Image(%s, %s) config holds %s", tt.ref, tt.platform, cf.Architecture)
			}
		})
	}
}

func TestDigestRef(t *testing.T) {
	host := registry(t)
	dir := t.TempDir()
	ctx := context.Background()
	arm := standIn(t, "python:3.12", "arm64", filler)
	amd := standIn(t, "python:3.12", "amd64", filler)
	tests := []struct {
		name, ref, platform string
		want                string
	}{
		{"index", "public.ecr.aws/lambda/python@" + published["python:3.12"].String(), "linux/arm64", arm.String()},
		{"index, other platform", "public.ecr.aws/lambda/python@" + published["python:3.12"].String(), "linux/amd64", amd.String()},
		{"manifest", "public.ecr.aws/lambda/python@" + amd.String(), "linux/amd64", amd.String()},
		{"tag and digest", "public.ecr.aws/lambda/python:3.12@" + arm.String(), "linux/arm64", arm.String()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := open(t, dir, host, false)
			_, info, err := c.Image(ctx, tt.ref, tt.platform)
			if err != nil {
				t.Fatal(err)
			}
			if info.Digest.String() != tt.want || !info.Fetched && tt.name == "index" {
				t.Errorf("Image(%s, %s) = %+v, want %s", tt.ref, tt.platform, info, tt.want)
			}
			// Never resolved again, not even with Pull.
			c2, tr := open(t, dir, host, true)
			_, info, err = c2.Image(ctx, tt.ref, tt.platform)
			if err != nil {
				t.Fatal(err)
			}
			if info.Digest.String() != tt.want || info.Fetched || tr.n.Load() != 0 {
				t.Errorf("Image(%s, %s) again with Pull = %+v after %d requests, want %s from the cache", tt.ref, tt.platform, info, tr.n.Load(), tt.want)
			}
		})
	}
}

func TestRefusals(t *testing.T) {
	host := registry(t)
	push(t, host, "test/single:1", "python:3.12", 0)
	amd := push(t, host, "test/single:1", "python:3.12", 0)
	tests := []struct {
		name, ref, platform string
		want                string
	}{
		{"single platform of another arch", "public.ecr.aws/test/single:1", "linux/arm64",
			"base image public.ecr.aws/test/single:1 holds linux/amd64, not linux/arm64"},
		{"by digest, of another arch", "public.ecr.aws/test/single@" + amd.String(), "linux/arm64",
			"base image public.ecr.aws/test/single@" + amd.String() + " holds linux/amd64, not linux/arm64"},
		{"index without the platform", "public.ecr.aws/lambda/python:3.12", "linux/s390x",
			"base image public.ecr.aws/lambda/python:3.12 holds linux/amd64, linux/arm64/v8, not linux/s390x"},
		{"not a reference", "x y", "linux/amd64",
			`base image "x y": could not parse reference: x y`},
		{"not a platform", "public.ecr.aws/lambda/python:3.12", "amd64",
			`base image public.ecr.aws/lambda/python:3.12: platform "amd64": want os/arch, such as linux/amd64 or linux/arm64`},
		{"no such tag", "public.ecr.aws/lambda/python:2.7", "linux/amd64",
			"pull public.ecr.aws/lambda/python:2.7: GET http://" + host + "/v2/lambda/python/manifests/2.7: MANIFEST_UNKNOWN: manifest unknown; map[Tag:2.7]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			c, _ := open(t, dir, host, false)
			_, _, err := c.Image(context.Background(), tt.ref, tt.platform)
			if err == nil || err.Error() != tt.want {
				t.Errorf("Image(%s, %s) = %v, want %s", tt.ref, tt.platform, err, tt.want)
			}
			// A refusal from the cache is the same refusal.
			if tt.name == "by digest, of another arch" {
				if _, _, err := c.Image(context.Background(), tt.ref, "linux/amd64"); err != nil {
					t.Fatal(err)
				}
				c2, tr := open(t, dir, host, false)
				_, _, err := c2.Image(context.Background(), tt.ref, tt.platform)
				if err == nil || err.Error() != tt.want || tr.n.Load() != 0 {
					t.Errorf("Image(%s, %s) from the cache = %v after %d requests, want %s", tt.ref, tt.platform, err, tr.n.Load(), tt.want)
				}
			}
		})
	}
}
