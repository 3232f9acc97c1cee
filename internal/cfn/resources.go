package cfn

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
)

// Resource is one resource of a stack as CloudFormation lists it.
type Resource struct {
	LogicalID, Type, PhysicalID, Status string
}

// Resources returns every resource of a stack (every page), nested stacks as resources of
// type AWS::CloudFormation::Stack whose physical id is the nested stack's id.
func (c *Client) Resources(ctx context.Context, stack string) ([]Resource, error) {
	var out []Resource
	var token *string
	for {
		page, err := c.api.ListStackResources(ctx, &cloudformation.ListStackResourcesInput{StackName: aws.String(stack), NextToken: token})
		if err != nil {
			if isValidation(err, "does not exist") {
				return nil, &StackNotFoundError{Name: stack}
			}
			return nil, fmt.Errorf("list resources of stack %s: %w", stack, err)
		}
		for _, r := range page.StackResourceSummaries {
			out = append(out, Resource{LogicalID: aws.ToString(r.LogicalResourceId), Type: aws.ToString(r.ResourceType),
				PhysicalID: aws.ToString(r.PhysicalResourceId), Status: string(r.ResourceStatus)})
		}
		if page.NextToken == nil {
			return out, nil
		}
		token = page.NextToken
	}
}
