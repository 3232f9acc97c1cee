package cfn_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"

	"github.com/samship/samship/internal/cfn"
	"github.com/samship/samship/internal/testenv"
)

// TestListAndResourcesOnMoto: List gives live stacks with their description and never a
// deleted one; Resources gives a stack's resources with their types and physical ids.
func TestListAndResourcesOnMoto(t *testing.T) {
	testenv.Needs(t, "the local AWS")
	ctx := context.Background()
	c, _ := client(t)
	body := `{"Description":"listed","Resources":{"T":{"Type":"AWS::SNS::Topic"}}}`
	live, err := c.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("cfn-list-live"), TemplateBody: aws.String(body)})
	if err != nil {
		t.Fatal(err)
	}
	gone, err := c.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("cfn-list-gone"), TemplateBody: aws.String(body)})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteStack(ctx, gone, ""); err != nil {
		t.Fatal(err)
	}
	stacks, err := c.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]*cfn.Stack{}
	for _, s := range stacks {
		found[s.Name] = s
	}
	if s := found["cfn-list-live"]; s == nil || s.Description != "listed" || s.ID != live.ID || s.Changed.IsZero() {
		t.Errorf("List: cfn-list-live = %+v", s)
	}
	if s := found["cfn-list-gone"]; s != nil {
		t.Errorf("List: a deleted stack is listed: %+v", s)
	}
	res, err := c.Resources(ctx, "cfn-list-live")
	if err != nil || len(res) != 1 || res[0].LogicalID != "T" || res[0].Type != "AWS::SNS::Topic" || res[0].PhysicalID == "" {
		t.Errorf("Resources = %+v, %v", res, err)
	}
	if _, err := c.Resources(ctx, "cfn-list-gone"); !cfn.IsNotFound(err) {
		t.Errorf("Resources of a deleted stack: %v, want StackNotFoundError", err)
	}
}
