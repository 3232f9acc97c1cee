package cfn

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
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

// List returns every stack of the region that is not deleted (every page of ListStacks),
// with its name, id, status, template description and last change.
func (c *Client) List(ctx context.Context) ([]*Stack, error) {
	var filter []types.StackStatus
	for _, s := range types.StackStatusCreateComplete.Values() {
		if s != types.StackStatusDeleteComplete {
			filter = append(filter, s)
		}
	}
	var out []*Stack
	var token *string
	for {
		page, err := c.api.ListStacks(ctx, &cloudformation.ListStacksInput{StackStatusFilter: filter, NextToken: token})
		if err != nil {
			return nil, fmt.Errorf("list stacks: %w", err)
		}
		for _, s := range page.StackSummaries {
			st := &Stack{Name: aws.ToString(s.StackName), ID: aws.ToString(s.StackId), Status: string(s.StackStatus),
				Description: aws.ToString(s.TemplateDescription), Changed: since(s.CreationTime)}
			if s.LastUpdatedTime != nil {
				st.Changed = *s.LastUpdatedTime
			}
			out = append(out, st)
		}
		if page.NextToken == nil {
			return out, nil
		}
		token = page.NextToken
	}
}
