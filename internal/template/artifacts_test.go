package template

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestLocalArtifacts(t *testing.T) {
	src := `Globals:
  Function:
    CodeUri: shared/
Resources:
  ZipFn:
    Type: AWS::Serverless::Function
    Properties: {Handler: app.handler, Runtime: python3.12}
  OwnCode:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: ./src, Handler: app.handler}
  InS3:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: s3://bucket/key.zip}
  ImageFn:
    Type: AWS::Serverless::Function
    Properties: {PackageType: Image, ImageUri: 123456789012.dkr.ecr.us-east-1.amazonaws.com/r:v1}
  Inline:
    Type: AWS::Lambda::Function
    Properties: {Code: {ZipFile: "x"}}
  LocalLambda:
    Type: AWS::Lambda::Function
    Properties: {Code: lambda/}
  Layer:
    Type: AWS::Serverless::LayerVersion
    Properties: {ContentUri: layer/}
  Api:
    Type: AWS::Serverless::Api
    Properties: {DefinitionUri: !Sub 's3://${B}/api.yaml'}
  Job:
    Type: AWS::Glue::Job
    Properties: {Command: {ScriptLocation: jobs/etl.py}}
`
	tpl, err := Parse("t.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"ZipFn CodeUri shared/ t.yaml:3",
		"OwnCode CodeUri ./src t.yaml:10",
		"LocalLambda Code lambda/ t.yaml:22",
		"Layer ContentUri layer/ t.yaml:25",
		"Job Command.ScriptLocation jobs/etl.py t.yaml:31",
	}
	var got []string
	for _, a := range tpl.LocalArtifacts() {
		got = append(got, a.Resource+" "+a.Property+" "+a.Path+" "+a.Where)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("LocalArtifacts() mismatch (-want +got):\n%s", diff)
	}
	var edits []Edit
	for _, a := range tpl.LocalArtifacts() {
		edits = append(edits, a.Edit("b", "k/"+a.Resource))
	}
	out, err := tpl.Apply(edits)
	if err != nil {
		t.Fatalf("Apply() = %v", err)
	}
	for _, w := range []string{
		`CodeUri: "s3://b/k/ZipFn"`, `{CodeUri: "s3://b/k/OwnCode", Handler`, `{Code: {"S3Bucket": "b", "S3Key": "k/LocalLambda"}}`,
		`{ContentUri: "s3://b/k/Layer"}`, `{ScriptLocation: "s3://b/k/Job"}`,
	} {
		if !strings.Contains(string(out), w) {
			t.Errorf("Apply() result lacks %s:\n%s", w, out)
		}
	}
	if _, err := Parse("t.yaml", out); err != nil {
		t.Errorf("Apply() result does not parse: %v", err)
	}
}
