package testenv

import (
	"fmt"
	"strings"
)

// ImageTemplate returns a template moto can deploy with n image functions Fn001..FnNNN, each
// marked as built from source (Metadata.DockerContext) so that it gets a managed repository;
// pad adds that many characters of description to each function.
func ImageTemplate(n, pad int) string {
	var b strings.Builder
	b.WriteString("AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  FnRole:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument:\n        Version: '2012-10-17'\n        Statement:\n          - Effect: Allow\n            Principal: {Service: lambda.amazonaws.com}\n            Action: sts:AssumeRole\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "  Fn%03d:\n    Type: AWS::Lambda::Function\n    Metadata:\n      DockerContext: ./fn%03d\n    Properties:\n      PackageType: Image\n      Code:\n        ImageUri: 123456789012.dkr.ecr.us-east-1.amazonaws.com/bench-images:fn%03d\n      Role: !GetAtt FnRole.Arn\n", i, i, i)
		if pad > 0 {
			fmt.Fprintf(&b, "      Description: %s\n", strings.Repeat("x", pad))
		}
	}
	return b.String()
}
