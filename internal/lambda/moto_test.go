package lambda_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/google/go-cmp/cmp"

	"github.com/samship/samship/internal/lambda"
	"github.com/samship/samship/internal/testenv"
)

func TestMain(m *testing.M) {
	code := m.Run()
	testenv.StopShared()
	os.Exit(code)
}

// TestSetImageAndAliasOnTheLocalAWS sets an image function's image by digest twice, each
// time publishing a version and moving the alias (made by the first), then refuses to publish
// a $LATEST someone else changed meanwhile.
func TestSetImageAndAliasOnTheLocalAWS(t *testing.T) {
	testenv.Needs(t, "the local AWS")
	ctx := context.Background()
	cfg, err := testenv.SharedMoto(t).Config(ctx)
	if err != nil {
		t.Fatal(err)
	}
	er, lm := ecr.NewFromConfig(cfg), awslambda.NewFromConfig(cfg)
	const repo = "123456789012.dkr.ecr.us-east-1.amazonaws.com/sync/fn"
	if _, err := er.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("sync/fn")}); err != nil {
		t.Fatal(err)
	}
	digests := map[string]string{}
	for _, tag := range []string{"a", "b"} {
		manifest := `{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":1,"digest":"sha256:` +
			strings.Repeat("c", 64) + `"},"layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":1,"digest":"sha256:` + strings.Repeat(tag, 64) + `"}]}`
		out, err := er.PutImage(ctx, &ecr.PutImageInput{RepositoryName: aws.String("sync/fn"), ImageTag: aws.String(tag), ImageManifest: aws.String(manifest)})
		if err != nil {
			t.Fatal(err)
		}
		digests[tag] = aws.ToString(out.Image.ImageId.ImageDigest)
	}
	role := "Resources:\n  Role:\n    Type: AWS::IAM::Role\n    Properties:\n      RoleName: sync-role\n      AssumeRolePolicyDocument: {Version: '2012-10-17', Statement: [{Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}]}\n"
	if _, err := cloudformation.NewFromConfig(cfg).CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("sync-role"), TemplateBody: aws.String(role)}); err != nil {
		t.Fatal(err)
	}
	if _, err := lm.CreateFunction(ctx, &awslambda.CreateFunctionInput{FunctionName: aws.String("sync-fn"), PackageType: types.PackageTypeImage,
		Code: &types.FunctionCode{ImageUri: aws.String(repo + ":a")}, Role: aws.String("arn:aws:iam::123456789012:role/sync-role")}); err != nil {
		t.Fatal(err)
	}
	c := lambda.New(lm)
	var uses [][]string
	deploy := func(digest string) (lambda.Updated, string) {
		t.Helper()
		u, err := c.SetImage(ctx, "sync-fn", repo+"@"+digest)
		if err != nil {
			t.Fatal(err)
		}
		if u.CodeSha256 != strings.TrimPrefix(digest, "sha256:") || u.RevisionID == "" {
			t.Errorf("SetImage(%s) = %+v, want the digest's hex as CodeSha256 and a revision", digest, u)
		}
		v, err := c.PublishAlias(ctx, "sync-fn", "live", u)
		if err != nil {
			t.Fatal(err)
		}
		fn, err := c.Images(ctx, "sync-fn")
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, u := range fn.Uses {
			got = append(got, u.Qualifier+"="+u.Image+strings.Join(u.Versions, ","))
		}
		uses = append(uses, got)
		return u, v
	}
	if _, v := deploy(digests["b"]); v != "1" {
		t.Errorf("first PublishAlias = %q, want version 1", v)
	}
	if _, v := deploy(digests["a"]); v != "2" {
		t.Errorf("second PublishAlias = %q, want version 2", v)
	}
	want := [][]string{
		{"$LATEST=" + repo + "@" + digests["b"], "1=" + repo + "@" + digests["b"], "live=1"},
		{"$LATEST=" + repo + "@" + digests["a"], "1=" + repo + "@" + digests["b"], "2=" + repo + "@" + digests["a"], "live=2"},
	}
	if diff := cmp.Diff(want, uses); diff != "" {
		t.Errorf("Images after each SetImage and PublishAlias (-want +got):\n%s", diff)
	}

	u, err := c.SetImage(ctx, "sync-fn", repo+"@"+digests["b"])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lm.UpdateFunctionCode(ctx, &awslambda.UpdateFunctionCodeInput{FunctionName: aws.String("sync-fn"), ImageUri: aws.String(repo + ":a")}); err != nil {
		t.Fatal(err)
	}
	if v, err := c.PublishAlias(ctx, "sync-fn", "live", u); !errors.Is(err, lambda.ErrChanged) {
		t.Errorf("PublishAlias() after someone else's change = %q, %v, want ErrChanged", v, err)
	}
	a, err := lm.GetAlias(ctx, &awslambda.GetAliasInput{FunctionName: aws.String("sync-fn"), Name: aws.String("live")})
	if err != nil || aws.ToString(a.FunctionVersion) != "2" {
		t.Errorf("alias live = %v %v, want it left at version 2", a, err)
	}
}
