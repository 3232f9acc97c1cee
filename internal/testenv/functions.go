package testenv

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
)

// StackFunctions reads every Lambda function of a stack back from Lambda, nested stacks
// included, one line each, sorted: "<path/logical id> <PackageType> <ImageUri> <in ECR>",
// where the last word says whether the image is in ECR (pushed: the registry and moto's ECR
// are one store) or "missing". This is what `aws functions STACK` prints in scripts.
func StackFunctions(ctx context.Context, cfg aws.Config, stack string) ([]string, error) {
	cf, lm, repo := cloudformation.NewFromConfig(cfg), lambda.NewFromConfig(cfg), ecr.NewFromConfig(cfg)
	var lines []string
	var walk func(stack, path string) error
	walk = func(stack, path string) error {
		res, err := cf.ListStackResources(ctx, &cloudformation.ListStackResourcesInput{StackName: aws.String(stack)})
		if err != nil {
			return err
		}
		for _, r := range res.StackResourceSummaries {
			id, phys := path+aws.ToString(r.LogicalResourceId), aws.ToString(r.PhysicalResourceId)
			switch aws.ToString(r.ResourceType) {
			case "AWS::CloudFormation::Stack":
				if err := walk(phys, id+"/"); err != nil {
					return err
				}
			case "AWS::Lambda::Function":
				fn, err := lm.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(phys)})
				if err != nil {
					return fmt.Errorf("function %s: %w", id, err)
				}
				uri := aws.ToString(fn.Code.ImageUri)
				lines = append(lines, fmt.Sprintf("%s %s %s %s", id, fn.Configuration.PackageType, uri, inECR(ctx, repo, uri)))
			}
		}
		return nil
	}
	err := walk(stack, "")
	sort.Strings(lines)
	return lines, err
}

// inECR says whether the image uri names is in its ECR repository of moto's region.
func inECR(ctx context.Context, c *ecr.Client, uri string) string {
	_, rest, ok := strings.Cut(uri, "/")
	if !ok {
		return "-"
	}
	repoName, tag, ok := strings.Cut(rest, ":")
	if !ok {
		return "-"
	}
	region := strings.Split(uri, ".")[3]
	res, err := c.BatchGetImage(ctx, &ecr.BatchGetImageInput{RepositoryName: aws.String(repoName), ImageIds: []ecrtypes.ImageIdentifier{{ImageTag: aws.String(tag)}}},
		func(o *ecr.Options) { o.Region = region })
	if err != nil || len(res.Images) == 0 {
		return "missing"
	}
	return "pushed"
}
