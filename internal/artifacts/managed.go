package artifacts

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"

	"github.com/samship/samship/internal/cfn"
)

// ManagedStackName is the managed artifact bucket stack SAM CLI creates for --resolve-s3.
const ManagedStackName = "aws-sam-cli-managed-default"

const bucketLogicalID = "SamCliSourceBucket"

// ManagedStacks is what the managed bucket lookup needs from CloudFormation.
type ManagedStacks interface {
	Describe(ctx context.Context, name string) (*cfn.Stack, error)
	CreateStack(context.Context, *cloudformation.CreateStackInput) (*cfn.Stack, error)
	ResourcePhysicalID(ctx context.Context, stack, logicalID string) (string, error)
	WaitWhileInProgress(ctx context.Context, st *cfn.Stack, onWait func(status string)) (*cfn.Stack, error)
}

// FindManagedBucket returns the bucket of the aws-sam-cli-managed-default stack without
// changing anything, or "" when the stack does not exist yet.
func FindManagedBucket(ctx context.Context, stacks ManagedStacks) (string, error) {
	st, err := stacks.Describe(ctx, ManagedStackName)
	if cfn.IsNotFound(err) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return bucketOf(ctx, stacks, st)
}

// ManagedBucket finds the bucket of the aws-sam-cli-managed-default stack, creating the stack
// when it does not exist. It reads the bucket from the SourceBucket output when present and
// otherwise from the stack's resource, so it does not depend on stack Outputs.
func ManagedBucket(ctx context.Context, stacks ManagedStacks, report Reporter) (string, error) {
	st, err := stacks.Describe(ctx, ManagedStackName)
	if cfn.IsNotFound(err) {
		report.CreatingResources()
		st, err = stacks.CreateStack(ctx, &cloudformation.CreateStackInput{
			StackName:    aws.String(ManagedStackName),
			TemplateBody: aws.String(managedTemplate()),
			Tags:         []cfntypes.Tag{{Key: aws.String("ManagedStackSource"), Value: aws.String("AwsSamCli")}},
		})
		var other *cfn.AlreadyExistsError
		if errors.As(err, &other) { // another first deploy made it meanwhile: use it when it is done
			if st, err = stacks.Describe(ctx, ManagedStackName); err == nil {
				st, err = stacks.WaitWhileInProgress(ctx, st, func(string) {})
			}
		}
		if err != nil {
			return "", fmt.Errorf("create managed resources: %w", err)
		}
		report.Created()
	} else if err != nil {
		return "", err
	}
	return bucketOf(ctx, stacks, st)
}

// bucketOf checks that st is SAM CLI's managed stack and returns its bucket.
func bucketOf(ctx context.Context, stacks ManagedStacks, st *cfn.Stack) (string, error) {
	if cfn.InProgress(st.Status) {
		return "", fmt.Errorf("stack %s is %s; try again when it has finished", ManagedStackName, st.Status)
	}
	switch v, ok := st.Tags["ManagedStackSource"]; {
	case !ok:
		return "", fmt.Errorf("stack %s exists, but the ManagedStackSource tag is missing: it was likely not created by the AWS SAM CLI", ManagedStackName)
	case v != "AwsSamCli":
		return "", fmt.Errorf("stack %s ManagedStackSource tag shows %s which does not match the AWS SAM CLI generated tag value of AwsSamCli: it was likely not created by the AWS SAM CLI", ManagedStackName, v)
	}
	for _, o := range st.Outputs {
		if o.Key == "SourceBucket" && o.Value != "" {
			return o.Value, nil
		}
	}
	b, err := stacks.ResourcePhysicalID(ctx, st.ID, bucketLogicalID)
	if err != nil || b == "" {
		return "", fmt.Errorf("stack %s exists, but is missing the managed source bucket: it was likely not created by the AWS SAM CLI", ManagedStackName)
	}
	return b, nil
}

// managedTemplate is SAM CLI's managed bucket stack as plain CloudFormation: a private,
// encrypted, versioned bucket that only accepts TLS, and its SourceBucket output.
func managedTemplate() string {
	t := map[string]any{
		"AWSTemplateFormatVersion": "2010-09-09",
		"Description":              "Managed Stack for AWS SAM CLI",
		"Resources": map[string]any{
			bucketLogicalID: map[string]any{
				"Type": "AWS::S3::Bucket",
				"Properties": map[string]any{
					"PublicAccessBlockConfiguration": map[string]any{
						"BlockPublicPolicy": "true", "BlockPublicAcls": "true",
						"IgnorePublicAcls": "true", "RestrictPublicBuckets": "true",
					},
					"BucketEncryption": map[string]any{"ServerSideEncryptionConfiguration": []any{
						map[string]any{"ServerSideEncryptionByDefault": map[string]any{"SSEAlgorithm": "aws:kms"}},
					}},
					"VersioningConfiguration": map[string]any{"Status": "Enabled"},
					"Tags":                    []any{map[string]any{"Key": "ManagedStackSource", "Value": "AwsSamCli"}},
				},
			},
			"SamCliSourceBucketBucketPolicy": map[string]any{
				"Type": "AWS::S3::BucketPolicy",
				"Properties": map[string]any{
					"Bucket": map[string]any{"Ref": bucketLogicalID},
					"PolicyDocument": map[string]any{"Statement": []any{
						map[string]any{
							"Action": []any{"s3:GetObject"}, "Effect": "Allow",
							"Resource":  map[string]any{"Fn::Join": []any{"", []any{"arn:", map[string]any{"Ref": "AWS::Partition"}, ":s3:::", map[string]any{"Ref": bucketLogicalID}, "/*"}}},
							"Principal": map[string]any{"Service": "serverlessrepo.amazonaws.com"},
							"Condition": map[string]any{"StringEquals": map[string]any{"aws:SourceAccount": map[string]any{"Ref": "AWS::AccountId"}}},
						},
						map[string]any{
							"Action": "s3:*", "Effect": "Deny",
							"Resource": []any{
								map[string]any{"Fn::Join": []any{"", []any{"arn:", map[string]any{"Ref": "AWS::Partition"}, ":s3:::", map[string]any{"Ref": bucketLogicalID}}}},
								map[string]any{"Fn::Join": []any{"", []any{"arn:", map[string]any{"Ref": "AWS::Partition"}, ":s3:::", map[string]any{"Ref": bucketLogicalID}, "/*"}}},
							},
							"Principal": "*",
							"Condition": map[string]any{"Bool": map[string]any{"aws:SecureTransport": "false"}},
						},
					}},
				},
			},
		},
		"Outputs": map[string]any{"SourceBucket": map[string]any{"Value": map[string]any{"Ref": bucketLogicalID}}},
	}
	b, _ := json.Marshal(t)
	return string(b)
}
