package template

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestUnauthenticated(t *testing.T) {
	src := `Globals:
  HttpApi:
    Auth: {DefaultAuthorizer: Jwt}
Resources:
  Open:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Get: {Type: Api, Properties: {Path: /, Method: get}}
  OwnAuthorizer:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Get: {Type: Api, Properties: {Path: /, Method: get, Auth: {Authorizer: MyAuth}}}
  ExplicitNone:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Get: {Type: Api, Properties: {Path: /, Method: get, RestApiId: !Ref Protected, Auth: {Authorizer: NONE}}}
  ApiDefault:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Get: {Type: Api, Properties: {Path: /, Method: get, RestApiId: !Ref Protected}}
  HttpGlobal:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Get: {Type: HttpApi}
  UrlFn:
    Type: AWS::Serverless::Function
    Properties:
      FunctionUrlConfig: {AuthType: NONE}
      Events:
        Q: {Type: SQS, Properties: {Queue: x}}
  Protected:
    Type: AWS::Serverless::Api
    Properties:
      Auth: {DefaultAuthorizer: MyAuth}
`
	tpl, err := Parse("t.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	tr, err := Discover(tpl, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"Open", "ExplicitNone", "UrlFn Function Url"}
	if diff := cmp.Diff(want, tr.Unauthenticated()); diff != "" {
		t.Errorf("Unauthenticated() mismatch (-want +got):\n%s", diff)
	}
}
