package template

import (
	"strings"
	"testing"
)

func TestSameInfrastructure(t *testing.T) {
	// local is a template as samship build leaves it; deployed is the same template as the
	// deploy sent it (images pushed, SamResourceId added).
	const local = `Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      PackageType: Image
      ImageUri: Fn
      Timeout: 3
      Environment:
        Variables:
          TABLE: !Ref Table
    Metadata:
      Dockerfile: Dockerfile
  Raw:
    Type: AWS::Lambda::Function
    Properties:
      PackageType: Image
      Code:
        ImageUri: layouts/Raw
      Role: !GetAtt Role.Arn
  Zip:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: s3://bucket/1111
      Handler: app.handler
      Runtime: python3.12
`
	deployed := strings.NewReplacer(
		"ImageUri: Fn\n", "ImageUri: 123456789012.dkr.ecr.us-east-1.amazonaws.com/app/fn:fn-1111-v1\n",
		"      Dockerfile: Dockerfile\n", "      Dockerfile: Dockerfile\n      SamResourceId: Fn\n",
		"ImageUri: layouts/Raw\n", "ImageUri: 123456789012.dkr.ecr.us-east-1.amazonaws.com/app/raw@sha256:aaaa\n",
		"      Role: !GetAtt Role.Arn\n", "      Role: !GetAtt Role.Arn\n    Metadata:\n      SamResourceId: Raw\n",
	).Replace(local)
	if !strings.Contains(deployed, "SamResourceId: Raw") || !strings.Contains(deployed, "raw@sha256:aaaa") {
		t.Fatalf("the deployed template was not made: %s", deployed)
	}
	cases := []struct {
		name, local string
		same        bool
	}{
		{"only the images differ (and the SamResourceId packaging adds)", local, true},
		{"the same in JSON, intrinsics in their long form", `{"Transform": "AWS::Serverless-2016-10-31", "Resources": {
  "Fn": {"Type": "AWS::Serverless::Function", "Properties": {"PackageType": "Image", "Timeout": 3,
    "Environment": {"Variables": {"TABLE": {"Ref": "Table"}}}}, "Metadata": {"Dockerfile": "Dockerfile"}},
  "Raw": {"Type": "AWS::Lambda::Function", "Properties": {"PackageType": "Image", "Code": {"ImageUri": "x"},
    "Role": {"Fn::GetAtt": ["Role", "Arn"]}}},
  "Zip": {"Type": "AWS::Serverless::Function", "Properties": {"CodeUri": "s3://bucket/1111", "Handler": "app.handler", "Runtime": "python3.12"}}}}`, true},
		{"a property changed", strings.Replace(local, "Timeout: 3", "Timeout: 5", 1), false},
		{"a zip function's code changed: sync does not carry it", strings.Replace(local, "CodeUri: s3://bucket/1111", "CodeUri: ./zip", 1), false},
		{"Metadata changed", strings.Replace(local, "Dockerfile: Dockerfile", "Dockerfile: Dockerfile.dev", 1), false},
		{"a resource added", local + "  Table:\n    Type: AWS::DynamoDB::Table\n", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			same, err := SameInfrastructure([]byte(c.local), []byte(deployed))
			if err != nil || same != c.same {
				t.Errorf("SameInfrastructure() = %v, %v; want %v", same, err, c.same)
			}
		})
	}
	if _, err := SameInfrastructure([]byte("Resources: ["), []byte(deployed)); err == nil {
		t.Error("SameInfrastructure(broken YAML) gave no error")
	}
}
