package testenv

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/smithy-go"
)

func TestMain(m *testing.M) {
	code := m.Run()
	StopShared()
	os.Exit(code)
}

// samApp is what `sam init --package-type Image` gives, with an image already in ECR.
const samApp = `AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Timeout: 3
Resources:
  HelloWorldFunction:
    Type: AWS::Serverless::Function
    Properties:
      PackageType: Image
      ImageConfig:
        Command: ["app.handler"]
      ImageUri: 123456789012.dkr.ecr.us-east-1.amazonaws.com/hello:v1
      FunctionUrlConfig:
        AuthType: NONE
      Events:
        HelloWorld:
          Type: Api
          Properties:
            Path: /hello
            Method: get
    Metadata:
      DockerTag: python3.12-v1
      DockerContext: ./hello_world
Outputs:
  HelloWorldApi:
    Value: !Sub "https://${ServerlessRestApi}.execute-api.${AWS::Region}.amazonaws.com/Prod/hello/"
  Url:
    Value: !GetAtt HelloWorldFunctionUrl.FunctionUrl
`

// badApp is refused by the transform: an Api event without Method.
const badApp = `Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      PackageType: Image
      ImageUri: 123456789012.dkr.ecr.us-east-1.amazonaws.com/hello:v1
      Events:
        E:
          Type: Api
          Properties: {Path: /x}
`

const transformFailed = "Transform AWS::Serverless-2016-10-31 failed with: Invalid Serverless Application Specification document. Number of errors found: 1. Resource with id [Fn] is invalid. Event with id [E] is invalid."

func cfnClient(t *testing.T) (*cloudformation.Client, *lambda.Client) {
	t.Helper()
	cfg, err := SharedMoto(t).Config(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return cloudformation.NewFromConfig(cfg), lambda.NewFromConfig(cfg)
}

func TestSAMTransformDeploysFunctions(t *testing.T) {
	Needs(t, "the local AWS")
	ctx := context.Background()
	cf, lm := cfnClient(t)
	cs, err := cf.CreateChangeSet(ctx, &cloudformation.CreateChangeSetInput{
		StackName: aws.String("sam-app"), ChangeSetName: aws.String("c1"), ChangeSetType: cfntypes.ChangeSetTypeCreate,
		TemplateBody: aws.String(samApp), Capabilities: []cfntypes.Capability{cfntypes.CapabilityCapabilityIam, cfntypes.CapabilityCapabilityAutoExpand},
	})
	if err != nil {
		t.Fatal(err)
	}
	d, err := cf.DescribeChangeSet(ctx, &cloudformation.DescribeChangeSetInput{ChangeSetName: cs.Id})
	if err != nil || d.Status != cfntypes.ChangeSetStatusCreateComplete {
		t.Fatalf("change set: %v %v %s", err, d.Status, aws.ToString(d.StatusReason))
	}
	types := map[string]bool{}
	for _, c := range d.Changes {
		types[aws.ToString(c.ResourceChange.ResourceType)] = true
	}
	for _, want := range []string{"AWS::Lambda::Function", "AWS::IAM::Role", "AWS::ApiGateway::RestApi", "AWS::Lambda::Url"} {
		if !types[want] {
			t.Errorf("change set lacks a %s (has %v)", want, types)
		}
	}
	if _, err := cf.ExecuteChangeSet(ctx, &cloudformation.ExecuteChangeSetInput{ChangeSetName: cs.Id}); err != nil {
		t.Fatal(err)
	}
	st, err := cf.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("sam-app")})
	if err != nil {
		t.Fatal(err)
	}
	outs := map[string]string{}
	for _, o := range st.Stacks[0].Outputs {
		outs[aws.ToString(o.OutputKey)] = aws.ToString(o.OutputValue)
	}
	if !strings.HasSuffix(outs["HelloWorldApi"], ".execute-api.us-east-1.amazonaws.com/Prod/hello/") || !strings.Contains(outs["Url"], ".lambda-url.us-east-1.on.aws") {
		t.Errorf("outputs = %v", outs)
	}
	res, err := cf.DescribeStackResource(ctx, &cloudformation.DescribeStackResourceInput{StackName: aws.String("sam-app"), LogicalResourceId: aws.String("HelloWorldFunction")})
	if err != nil {
		t.Fatal(err)
	}
	fn, err := lm.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: res.StackResourceDetail.PhysicalResourceId})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(fn.Code.ImageUri); got != "123456789012.dkr.ecr.us-east-1.amazonaws.com/hello:v1" {
		t.Errorf("ImageUri = %q", got)
	}
	if fn.Configuration.PackageType != "Image" || fn.Configuration.ImageConfigResponse == nil || fn.Configuration.ImageConfigResponse.ImageConfig.Command[0] != "app.handler" {
		t.Errorf("configuration: package type %q, image config %+v", fn.Configuration.PackageType, fn.Configuration.ImageConfigResponse)
	}
	tpl, err := cf.GetTemplate(ctx, &cloudformation.GetTemplateInput{StackName: aws.String("sam-app")})
	if err != nil || aws.ToString(tpl.TemplateBody) != samApp {
		t.Errorf("GetTemplate answers the processed template, want the one submitted (%v)", err)
	}
}

func TestSAMTransformFailuresAnswerAsCloudFormation(t *testing.T) {
	Needs(t, "the local AWS")
	ctx := context.Background()
	cf, _ := cfnClient(t)

	cs, err := cf.CreateChangeSet(ctx, &cloudformation.CreateChangeSetInput{
		StackName: aws.String("sam-bad"), ChangeSetName: aws.String("c1"), ChangeSetType: cfntypes.ChangeSetTypeCreate,
		TemplateBody: aws.String(badApp),
	})
	if err != nil {
		t.Fatal(err)
	}
	d, err := cf.DescribeChangeSet(ctx, &cloudformation.DescribeChangeSetInput{ChangeSetName: cs.Id})
	if err != nil || d.Status != cfntypes.ChangeSetStatusFailed || !strings.HasPrefix(aws.ToString(d.StatusReason), transformFailed) {
		t.Errorf("change set: %v, status %s, reason %q", err, d.Status, aws.ToString(d.StatusReason))
	}

	_, err = cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("sam-bad-stack"), TemplateBody: aws.String(badApp)})
	var api smithy.APIError
	if !errors.As(err, &api) || api.ErrorCode() != "ValidationError" || !strings.HasPrefix(api.ErrorMessage(), transformFailed) {
		t.Errorf("CreateStack: %v", err)
	}
	if _, err := cf.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("sam-bad-stack")}); err == nil {
		t.Error("a refused CreateStack left a stack")
	}

	good := strings.Replace(badApp, "{Path: /x}", "{Path: /x, Method: get}", 1)
	if _, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("sam-upd"), TemplateBody: aws.String(good), Capabilities: []cfntypes.Capability{cfntypes.CapabilityCapabilityIam}}); err != nil {
		t.Fatal(err)
	}
	_, err = cf.UpdateStack(ctx, &cloudformation.UpdateStackInput{StackName: aws.String("sam-upd"), TemplateBody: aws.String(badApp)})
	if !errors.As(err, &api) || api.ErrorCode() != "ValidationError" {
		t.Errorf("UpdateStack: %v", err)
	}
	tpl, err := cf.GetTemplate(ctx, &cloudformation.GetTemplateInput{StackName: aws.String("sam-upd")})
	if err != nil || aws.ToString(tpl.TemplateBody) != good {
		t.Errorf("a refused UpdateStack changed the stack's template (%v)", err)
	}
}

// TestLambdaResolvesImageDigests: as on AWS, an image function's ResolvedImageUri names the
// digest ECR has for its tag when the code was set, and a published version keeps the digest
// it had after the tag moves on.
func TestLambdaResolvesImageDigests(t *testing.T) {
	Needs(t, "the local AWS")
	ctx := context.Background()
	cfg, err := SharedMoto(t).Config(ctx)
	if err != nil {
		t.Fatal(err)
	}
	er, lm := ecr.NewFromConfig(cfg), lambda.NewFromConfig(cfg)
	if _, err := er.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("digests/fn")}); err != nil {
		t.Fatal(err)
	}
	put := func(layer string) string {
		manifest := `{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":1,"digest":"sha256:` +
			strings.Repeat("c", 64) + `"},"layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":1,"digest":"sha256:` + strings.Repeat(layer, 64) + `"}]}`
		out, err := er.PutImage(ctx, &ecr.PutImageInput{RepositoryName: aws.String("digests/fn"), ImageTag: aws.String("latest"), ImageManifest: aws.String(manifest)})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.Image.ImageId.ImageDigest)
	}
	uri := "123456789012.dkr.ecr.us-east-1.amazonaws.com/digests/fn:latest"
	resolved := func(qualifier *string) string {
		out, err := lm.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("digests-fn"), Qualifier: qualifier})
		if err != nil {
			t.Fatal(err)
		}
		_, digest, _ := strings.Cut(aws.ToString(out.Code.ResolvedImageUri), "@")
		return digest
	}
	role := "Resources:\n  Role:\n    Type: AWS::IAM::Role\n    Properties:\n      RoleName: digests-role\n      AssumeRolePolicyDocument: {Version: '2012-10-17', Statement: [{Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}]}\n"
	if _, err := cloudformation.NewFromConfig(cfg).CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("digests-role"), TemplateBody: aws.String(role)}); err != nil {
		t.Fatal(err)
	}
	first := put("a")
	if _, err := lm.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String("digests-fn"), PackageType: lambdatypes.PackageTypeImage,
		Code: &lambdatypes.FunctionCode{ImageUri: aws.String(uri)}, Role: aws.String("arn:aws:iam::123456789012:role/digests-role")}); err != nil {
		t.Fatal(err)
	}
	v1, err := lm.PublishVersion(ctx, &lambda.PublishVersionInput{FunctionName: aws.String("digests-fn")})
	if err != nil {
		t.Fatal(err)
	}
	second := put("b")
	if _, err := lm.UpdateFunctionCode(ctx, &lambda.UpdateFunctionCodeInput{FunctionName: aws.String("digests-fn"), ImageUri: aws.String(uri)}); err != nil {
		t.Fatal(err)
	}
	if got := resolved(nil); got != second {
		t.Errorf("$LATEST resolves to %s, want the tag's new digest %s", got, second)
	}
	if got := resolved(v1.Version); got != first {
		t.Errorf("version %s resolves to %s, want the digest it was published with, %s", aws.ToString(v1.Version), got, first)
	}
}

// TestSAMAutoPublishAlias: as on AWS, SAM's AutoPublishAlias publishes a version per code
// change, keeps the old ones (SAM retains them) and moves the alias, and each version keeps
// the digest its image had.
func TestSAMAutoPublishAlias(t *testing.T) {
	Needs(t, "the local AWS")
	ctx := context.Background()
	cfg, err := SharedMoto(t).Config(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cf, lm, er := cloudformation.NewFromConfig(cfg), lambda.NewFromConfig(cfg), ecr.NewFromConfig(cfg)
	if _, err := er.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("alias/fn")}); err != nil {
		t.Fatal(err)
	}
	digests := map[string]string{}
	for _, tag := range []string{"v1", "v2"} {
		manifest := `{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":1,"digest":"sha256:` +
			strings.Repeat("c", 64) + `"},"layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":1,"digest":"sha256:` + strings.Repeat(tag[1:], 64) + `"}]}`
		out, err := er.PutImage(ctx, &ecr.PutImageInput{RepositoryName: aws.String("alias/fn"), ImageTag: aws.String(tag), ImageManifest: aws.String(manifest)})
		if err != nil {
			t.Fatal(err)
		}
		digests[tag] = aws.ToString(out.Image.ImageId.ImageDigest)
	}
	app := func(tag string) *string {
		return aws.String("Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      PackageType: Image\n" +
			"      FunctionName: alias-fn\n      AutoPublishAlias: live\n      ImageUri: 123456789012.dkr.ecr.us-east-1.amazonaws.com/alias/fn:" + tag + "\n")
	}
	caps := []cfntypes.Capability{cfntypes.CapabilityCapabilityIam, cfntypes.CapabilityCapabilityAutoExpand}
	if _, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("alias-app"), TemplateBody: app("v1"), Capabilities: caps}); err != nil {
		t.Fatal(err)
	}
	if _, err := cf.UpdateStack(ctx, &cloudformation.UpdateStackInput{StackName: aws.String("alias-app"), TemplateBody: app("v2"), Capabilities: caps}); err != nil {
		t.Fatal(err)
	}
	st, err := cf.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("alias-app")})
	if err != nil || st.Stacks[0].StackStatus != cfntypes.StackStatusUpdateComplete {
		t.Fatalf("stack: %v %+v", err, st)
	}
	versions, err := lm.ListVersionsByFunction(ctx, &lambda.ListVersionsByFunctionInput{FunctionName: aws.String("alias-fn")})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, v := range versions.Versions {
		fn, err := lm.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("alias-fn"), Qualifier: v.Version})
		if err != nil {
			t.Fatal(err)
		}
		_, digest, _ := strings.Cut(aws.ToString(fn.Code.ResolvedImageUri), "@")
		got = append(got, aws.ToString(v.Version)+"="+digest)
	}
	want := []string{"$LATEST=" + digests["v2"], "1=" + digests["v1"], "2=" + digests["v2"]}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("versions:\n got %v\nwant %v", got, want)
	}
	aliases, err := lm.ListAliases(ctx, &lambda.ListAliasesInput{FunctionName: aws.String("alias-fn")})
	if err != nil {
		t.Fatal(err)
	}
	if len(aliases.Aliases) != 1 || aws.ToString(aliases.Aliases[0].Name) != "live" || aws.ToString(aliases.Aliases[0].FunctionVersion) != "2" {
		t.Errorf("aliases = %+v, want live → 2", aliases.Aliases)
	}
	if _, err := cf.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String("alias-app")}); err != nil {
		t.Fatal(err)
	}
	if _, err := lm.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("alias-fn")}); err == nil {
		t.Error("the function outlived its stack")
	}
}

// TestECRImageSizes: as on AWS, DescribeImages reports an image's size as the sum of its
// layers, not the size of its config.
func TestECRImageSizes(t *testing.T) {
	Needs(t, "the local AWS")
	ctx := context.Background()
	cfg, err := SharedMoto(t).Config(ctx)
	if err != nil {
		t.Fatal(err)
	}
	er := ecr.NewFromConfig(cfg)
	if _, err := er.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("sizes/fn")}); err != nil {
		t.Fatal(err)
	}
	manifest := `{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":7,"digest":"sha256:` +
		strings.Repeat("c", 64) + `"},"layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":1000,"digest":"sha256:` + strings.Repeat("a", 64) +
		`"},{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":234,"digest":"sha256:` + strings.Repeat("b", 64) + `"}]}`
	if _, err := er.PutImage(ctx, &ecr.PutImageInput{RepositoryName: aws.String("sizes/fn"), ImageTag: aws.String("v1"), ImageManifest: aws.String(manifest)}); err != nil {
		t.Fatal(err)
	}
	out, err := er.DescribeImages(ctx, &ecr.DescribeImagesInput{RepositoryName: aws.String("sizes/fn")})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.ImageDetails) != 1 || aws.ToInt64(out.ImageDetails[0].ImageSizeInBytes) != 1234 {
		t.Errorf("image details = %+v, want one of 1234 bytes", out.ImageDetails)
	}
}
