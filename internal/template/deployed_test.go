package template

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDeployedReferences(t *testing.T) {
	body := `Resources:
  Zip:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: s3://bkt/app/0123.zip, Handler: a.b, Runtime: python3.12}
  Raw:
    Type: AWS::Lambda::Function
    Properties: {Code: {S3Bucket: bkt, S3Key: app/4567}}
  Api:
    Type: AWS::StepFunctions::StateMachine
    Properties: {DefinitionS3Location: {Bucket: bkt, Key: app/89ab}}
  Child:
    Type: AWS::CloudFormation::Stack
    Properties: {TemplateURL: https://s3.us-east-1.amazonaws.com/bkt/app/cdef.template}
  Hosted:
    Type: AWS::CloudFormation::Stack
    Properties: {TemplateURL: https://bkt.s3.eu-west-1.amazonaws.com/app/1111.template}
  OnLocalEndpoint:
    Type: AWS::CloudFormation::Stack
    Properties: {TemplateURL: http://127.0.0.1:4566/bkt/app/2222.template}
  ElsewhereOnTheWeb:
    Type: AWS::Serverless::Application
    Properties: {Location: https://example.com/bkt/app/3333.template}
  Local:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: ./src, Handler: a.b, Runtime: python3.12}
  Computed:
    Type: AWS::Lambda::Function
    Properties: {Code: {S3Bucket: !Ref B, S3Key: k}}
  Img:
    Type: AWS::Lambda::Function
    Properties: {PackageType: Image, Code: {ImageUri: 123456789012.dkr.ecr.us-east-1.amazonaws.com/app/img:Img-0123456789ab-latest}}
  Sam:
    Type: AWS::Serverless::Function
    Properties: {PackageType: Image, ImageUri: 123456789012.dkr.ecr.us-east-1.amazonaws.com/app/sam:v1}
  Untagged:
    Type: AWS::Serverless::Function
    Properties: {PackageType: Image, ImageUri: 123456789012.dkr.ecr.us-east-1.amazonaws.com/app/sam}
`
	tpl, err := Parse("t.yaml", []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	wantS3 := []S3Object{{"bkt", "app/0123.zip"}, {"bkt", "app/4567"}, {"bkt", "app/89ab"}, {"bkt", "app/cdef.template"}, {"bkt", "app/1111.template"}}
	if diff := cmp.Diff(wantS3, tpl.S3Artifacts("")); diff != "" {
		t.Errorf("S3Artifacts() mismatch (-want +got):\n%s", diff)
	}
	// With the local endpoint SAM CLI named its uploads on, they are objects too.
	wantLocal := append(wantS3[:5:5], S3Object{"bkt", "app/2222.template"})
	if diff := cmp.Diff(wantLocal, tpl.S3Artifacts("http://127.0.0.1:4566")); diff != "" {
		t.Errorf("S3Artifacts(endpoint) mismatch (-want +got):\n%s", diff)
	}
	wantImages := []string{"123456789012.dkr.ecr.us-east-1.amazonaws.com/app/img:Img-0123456789ab-latest", "123456789012.dkr.ecr.us-east-1.amazonaws.com/app/sam:v1"}
	if diff := cmp.Diff(wantImages, tpl.ImageURIs()); diff != "" {
		t.Errorf("ImageURIs() mismatch (-want +got):\n%s", diff)
	}
}
