package template

import (
	"strings"
	"testing"
)

// TestS3URLEdits: s3:// values of the properties SAM CLI writes as objects become those
// objects (a single versionId taken where the property has a version field); s3:// values
// elsewhere, intrinsics and objects stay as they are; an s3:// value naming no object is an
// error naming the property.
func TestS3URLEdits(t *testing.T) {
	src := `Resources:
  Rest:
    Type: AWS::ApiGateway::RestApi
    Properties: {BodyS3Location: "s3://b/api.yaml"}
  Http:
    Type: AWS::ApiGatewayV2::Api
    Properties: {BodyS3Location: "s3://b/http.yaml?versionId=v3"}
  Fn:
    Type: AWS::Lambda::Function
    Properties: {Code: "s3://b/code.zip?versionId=v1", Handler: app.handler}
  Layer:
    Type: AWS::Lambda::LayerVersion
    Properties: {Content: s3://b/layer.zip}
  App:
    Type: AWS::ElasticBeanstalk::ApplicationVersion
    Properties: {SourceBundle: "s3://b/app.zip?versionId=v2"}
  Flow:
    Type: AWS::StepFunctions::StateMachine
    Properties: {DefinitionS3Location: s3://b/flow.json}
  SamFlow:
    Type: AWS::Serverless::StateMachine
    Properties: {DefinitionUri: s3://b/samflow.json}
  SamFn:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: s3://b/samfn.zip}
  Twice:
    Type: AWS::ApiGateway::RestApi
    Properties: {BodyS3Location: "s3://b/x?versionId=a&versionId=b"}
  Sub:
    Type: AWS::Lambda::Function
    Properties: {Code: !Sub "s3://${B}/k.zip"}
  Done:
    Type: AWS::Lambda::Function
    Properties: {Code: {S3Bucket: b, S3Key: k.zip}}
`
	tpl, err := Parse("t.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	edits, err := tpl.S3URLEdits()
	if err != nil {
		t.Fatalf("S3URLEdits() = %v", err)
	}
	out, err := tpl.Apply(edits)
	if err != nil {
		t.Fatalf("Apply() = %v", err)
	}
	for _, w := range []string{
		`{BodyS3Location: {"Bucket": "b", "Key": "api.yaml"}}`,
		`{BodyS3Location: {"Bucket": "b", "Key": "http.yaml", "Version": "v3"}}`,
		`{Code: {"S3Bucket": "b", "S3Key": "code.zip", "S3ObjectVersion": "v1"}, Handler: app.handler}`,
		`{Content: {"S3Bucket": "b", "S3Key": "layer.zip"}}`,
		`{SourceBundle: {"S3Bucket": "b", "S3Key": "app.zip"}}`, // no version field there
		`{DefinitionS3Location: {"Bucket": "b", "Key": "flow.json"}}`,
		`{DefinitionUri: {"Bucket": "b", "Key": "samflow.json"}}`,
		`{CodeUri: s3://b/samfn.zip}`,                   // SAM's own types take the string
		`{BodyS3Location: {"Bucket": "b", "Key": "x"}}`, // two versionIds: none taken
		`{Code: !Sub "s3://${B}/k.zip"}`,
		`{Code: {S3Bucket: b, S3Key: k.zip}}`,
	} {
		if !strings.Contains(string(out), w) {
			t.Errorf("Apply() result lacks %s:\n%s", w, out)
		}
	}
	if _, err := Parse("t.yaml", out); err != nil {
		t.Errorf("Apply() result does not parse: %v", err)
	}

	for name, tc := range map[string]struct{ value, want string }{
		"no key":    {"s3://bucket", "t.yaml:4: BodyS3Location of Rest is s3://bucket, which is not an S3 URL of an object (s3://bucket/key)"},
		"no bucket": {"s3:///key", "t.yaml:4: BodyS3Location of Rest is s3:///key, which is not an S3 URL of an object (s3://bucket/key)"},
	} {
		t.Run(name, func(t *testing.T) {
			bad, err := Parse("t.yaml", []byte("Resources:\n  Rest:\n    Type: AWS::ApiGateway::RestApi\n    Properties: {BodyS3Location: \""+tc.value+"\"}\n"))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := bad.S3URLEdits(); err == nil || err.Error() != tc.want {
				t.Errorf("S3URLEdits() = %v, want %q", err, tc.want)
			}
		})
	}
}
