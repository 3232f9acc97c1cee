package deploy_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/samship/samship/internal/deploy"
)

// TestPrepare is every refusal Prepare makes before any AWS call, with SAM CLI's words and
// its usage class (exit 2) where SAM CLI has them, and what it decides when it accepts.
func TestPrepare(t *testing.T) {
	const ecr = "123456789012.dkr.ecr.us-east-1.amazonaws.com/repo"
	const two = `Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties: {PackageType: Image, ImageUri: fn.tar}
  Other:
    Type: AWS::Serverless::Function
    Properties: {PackageType: Image, ImageUri: ` + ecr + `:prebuilt}
`
	tests := map[string]struct {
		o         deploy.Options
		body      string
		wantErr   string // a prefix, with the template's path as t.yaml
		wantUsage bool
		// on success
		managed, push string
	}{
		"no stack name": {o: deploy.Options{}, wantUsage: true,
			wantErr: "Missing option '--stack-name', 'samship deploy --guided' can be used"},
		"bad stack name": {o: deploy.Options{StackName: "1app"}, wantUsage: true,
			wantErr: `invalid --stack-name "1app": it must start with a letter`},
		"two repository options": {o: deploy.Options{StackName: "app", ImageRepository: ecr, ResolveImageRepos: true}, wantUsage: true,
			wantErr: "Only one of the following can be provided: '--image-repositories', '--image-repository', '--resolve-image-repos'."},
		"guided accepts both": {o: deploy.Options{StackName: "app", ImageRepository: ecr, ResolveImageRepos: true, Guided: true},
			push: "Fn"},
		"bucket and resolve-s3": {o: deploy.Options{StackName: "app", ResolveImageRepos: true, ResolveS3: true, S3Bucket: "b"}, wantUsage: true,
			wantErr: "Cannot use both --resolve-s3 and --s3-bucket parameters in non-guided deployments."},
		"repository not in ECR": {o: deploy.Options{StackName: "app", ImageRepository: "docker.io/me/app"}, wantUsage: true,
			wantErr: "Invalid value for '--image-repository': Invalid Image Repository ECR URI: docker.io/me/app"},
		"mapped repository not in ECR": {o: deploy.Options{StackName: "app", ImageRepositories: map[string]string{"Fn": "me/app"}}, wantUsage: true,
			wantErr: `Invalid value for '--image-repositories': Fn=me/app: "me/app" is not an ECR repository URI`},
		"mapped function not in template": {o: deploy.Options{StackName: "app", ImageRepositories: map[string]string{"Gone": ecr}}, wantUsage: true,
			wantErr: "Invalid value for '--image-repositories': function Gone is not in template t.yaml"},
		"stale samconfig entry": {o: deploy.Options{StackName: "app", ImageRepositories: map[string]string{"Gone": ecr}, ImageReposFrom: "samconfig.toml [default.deploy.parameters]"}, wantUsage: true,
			wantErr: "Invalid value for '--image-repositories': function Gone is not in template t.yaml (the entry comes from samconfig.toml [default.deploy.parameters] image_repositories: remove it there, deploy with --resolve-image-repos, or run samship deploy --guided)"},
		"no repository": {o: deploy.Options{StackName: "app"}, wantUsage: true,
			wantErr: "Missing option '--image-repositories', '--image-repository', '--resolve-image-repos'"},
		"incomplete mapping": {o: deploy.Options{StackName: "app", ImageRepositories: map[string]string{"Other": ecr}}, wantUsage: true,
			wantErr: "Incomplete list of function logical ids specified for '--image-repositories': no repository for Fn."},
		"too large without a bucket": {o: deploy.Options{StackName: "app", ResolveImageRepos: true}, body: two + "Outputs:\n  Big: {Value: " + strings.Repeat("x", 52000) + "}\n",
			wantErr: "Templates with a size greater than 51,200 bytes must be deployed via an S3 Bucket."},
		"no ImageUri": {o: deploy.Options{StackName: "app", ResolveImageRepos: true}, body: "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties: {PackageType: Image}\n",
			wantErr: "t.yaml:2: function Fn has no ImageUri; build it with sam build, or set it to an image"},
		"image nowhere": {o: deploy.Options{StackName: "app", ResolveImageRepos: true}, body: "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties: {PackageType: Image, ImageUri: 'fn:latest'}\n",
			wantErr: "t.yaml:2: function Fn: image fn:latest is neither a file nor a directory next to the template, nor an image in a registry, and no Docker or Podman engine is reachable (set DOCKER_HOST)"},
		"resolve":        {o: deploy.Options{StackName: "app", ResolveImageRepos: true}, managed: "Fn", push: "Fn"},
		"one repository": {o: deploy.Options{StackName: "app", ImageRepository: ecr}, push: "Fn"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			body := tc.body
			if body == "" {
				body = two
			}
			if err := os.WriteFile(filepath.Join(dir, "t.yaml"), []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "fn.tar"), nil, 0o644); err != nil {
				t.Fatal(err)
			}
			t.Chdir(dir)
			tc.o.TemplateFile = "t.yaml"
			in, err := deploy.Prepare(context.Background(), tc.o, "us-east-1")
			var usage *deploy.UsageError
			if tc.wantErr != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tc.wantErr) || errors.As(err, &usage) != tc.wantUsage {
					t.Fatalf("Prepare() error = %v (usage %v), want %q (usage %v)", err, errors.As(err, &usage), tc.wantErr, tc.wantUsage)
				}
				return
			}
			if err != nil {
				t.Fatalf("Prepare() = %v", err)
			}
			if got := strings.Join(in.Managed, " "); got != tc.managed {
				t.Errorf("managed = %q, want %q", got, tc.managed)
			}
			if got := strings.Join(in.Push, " "); got != tc.push {
				t.Errorf("push = %q, want %q", got, tc.push)
			}
		})
	}
}
