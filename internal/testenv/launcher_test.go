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
	"github.com/aws/aws-sdk-go-v2/service/lambda"
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
