package template

import "testing"

func TestSameInfrastructure(t *testing.T) {
	const deployed = `Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      PackageType: Image
      ImageUri: 123456789012.dkr.ecr.us-east-1.amazonaws.com/app/fn:fn-1111-v1
      Timeout: 3
      Environment:
        Variables:
          TABLE: !Ref Table
    Metadata:
      Dockerfile: Dockerfile
      SamResourceId: Fn
  Raw:
    Type: AWS::Lambda::Function
    Properties:
      PackageType: Image
      Code:
        ImageUri: 123456789012.dkr.ecr.us-east-1.amazonaws.com/app/raw@sha256:aaaa
      Role: !GetAtt Role.Arn
    Metadata:
      SamResourceId: Raw
  Zip:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: s3://bucket/1111
      Handler: app.handler
      Runtime: python3.12
`
	cases := []struct {
		name, local string
		same        bool
	}{
		{"only the images differ (and the SamResourceId packaging adds)", `Transform: AWS::Serverless-2016-10-31
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
`, true},
		{"the same in JSON, intrinsics in their long form", `{"Transform": "AWS::Serverless-2016-10-31", "Resources": {
  "Fn": {"Type": "AWS::Serverless::Function", "Properties": {"PackageType": "Image", "Timeout": 3,
    "Environment": {"Variables": {"TABLE": {"Ref": "Table"}}}}, "Metadata": {"Dockerfile": "Dockerfile"}},
  "Raw": {"Type": "AWS::Lambda::Function", "Properties": {"PackageType": "Image", "Code": {"ImageUri": "x"},
    "Role": {"Fn::GetAtt": ["Role", "Arn"]}}},
  "Zip": {"Type": "AWS::Serverless::Function", "Properties": {"CodeUri": "s3://bucket/1111", "Handler": "app.handler", "Runtime": "python3.12"}}}}`, true},
		{"a property changed", `Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      PackageType: Image
      ImageUri: Fn
      Timeout: 5
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
`, false},
		{"a zip function's code changed: sync does not carry it", `Transform: AWS::Serverless-2016-10-31
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
      CodeUri: ./zip
      Handler: app.handler
      Runtime: python3.12
`, false},
		{"a resource added", deployed + `  Table:
    Type: AWS::DynamoDB::Table
`, false},
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
