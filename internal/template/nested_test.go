package template

import "testing"

func TestSameContent(t *testing.T) {
	yamlForm := "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      ImageUri: 1.dkr.ecr.us-east-1.amazonaws.com/r:t\n      Role: !GetAtt Role.Arn\n      Timeout: 3\n"
	tests := map[string]struct {
		a, b string
		want bool
	}{
		"same bytes": {yamlForm, yamlForm, true},
		// SAM CLI re-dumps a child template before uploading it: long intrinsics, other layout.
		"SAM CLI's dump":  {yamlForm, "Resources:\n  Fn:\n    Properties:\n      ImageUri: 1.dkr.ecr.us-east-1.amazonaws.com/r:t\n      Role:\n        Fn::GetAtt:\n        - Role\n        - Arn\n      Timeout: 3\n    Type: AWS::Serverless::Function\n", true},
		"JSON":            {yamlForm, `{"Resources": {"Fn": {"Type": "AWS::Serverless::Function", "Properties": {"ImageUri": "1.dkr.ecr.us-east-1.amazonaws.com/r:t", "Role": {"Fn::GetAtt": ["Role", "Arn"]}, "Timeout": 3}}}}`, true},
		"another tag":     {yamlForm, "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      ImageUri: 1.dkr.ecr.us-east-1.amazonaws.com/r:u\n      Role: !GetAtt Role.Arn\n      Timeout: 3\n", false},
		"a number quoted": {yamlForm, "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      ImageUri: 1.dkr.ecr.us-east-1.amazonaws.com/r:t\n      Role: !GetAtt Role.Arn\n      Timeout: '3'\n", false},
		"unparsable":      {yamlForm, "Resources: [", false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := SameContent([]byte(tc.a), []byte(tc.b)); got != tc.want {
				t.Errorf("SameContent() = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestNestedLocation(t *testing.T) {
	tpl, err := Parse("t.yaml", []byte("Resources:\n  Child:\n    Type: AWS::CloudFormation::Stack\n    Properties:\n      TemplateURL: https://s3.amazonaws.com/b/k.template\n  App:\n    Type: AWS::Serverless::Application\n    Properties:\n      Location: https://s3.us-west-2.amazonaws.com/b/p/k2.template\n  Sar:\n    Type: AWS::Serverless::Application\n    Properties:\n      Location: {ApplicationId: a, SemanticVersion: 1.0.0}\n  Fn:\n    Type: AWS::Serverless::Function\n"))
	if err != nil {
		t.Fatal(err)
	}
	tests := map[string]struct {
		logical string
		want    S3Object
		ok      bool
	}{
		"stack, global endpoint":    {"Child", S3Object{"b", "k.template"}, true},
		"application, regional":     {"App", S3Object{"b", "p/k2.template"}, true},
		"serverless repository app": {"Sar", S3Object{}, false},
		"not a stack":               {"Fn", S3Object{}, false},
		"absent":                    {"Nope", S3Object{}, false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			url, ok := tpl.NestedLocation(tc.logical)
			var got S3Object
			if ok {
				got, ok = ObjectAt(url, "")
			}
			if ok != tc.ok || got != tc.want {
				t.Errorf("NestedLocation(%s) then ObjectAt = %+v, %v; want %+v, %v", tc.logical, got, ok, tc.want, tc.ok)
			}
		})
	}
}
