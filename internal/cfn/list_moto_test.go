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

// TestPendingTemplatesOnMoto: a change set not executed yet is pending with its template as
// submitted; another stack's is not; once one is executed, none is.
func TestPendingTemplatesOnMoto(t *testing.T) {
	testenv.Needs(t, "the local AWS")
	ctx := context.Background()
	c, cl := client(t)
	body := func(d string) string {
		return `{"Description":"` + d + `","Resources":{"T":{"Type":"AWS::SNS::Topic"}}}`
	}
	if _, err := c.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("cfn-pending"), TemplateBody: aws.String(body("v1"))}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("cfn-pending-other"), TemplateBody: aws.String(body("v1"))}); err != nil {
		t.Fatal(err)
	}
	for stack, name := range map[string]string{"cfn-pending": "next", "cfn-pending-other": "theirs"} {
		if _, err := cl.CloudFormation.CreateChangeSet(ctx, &cloudformation.CreateChangeSetInput{StackName: aws.String(stack), ChangeSetName: aws.String(name),
			TemplateBody: aws.String(body("v2"))}); err != nil {
			t.Fatal(err)
		}
	}
	got, err := c.PendingTemplates(ctx, "cfn-pending")
	if err != nil || len(got) != 1 || got["next"] != body("v2") {
		t.Fatalf("PendingTemplates = %v, %v; want the change set next with its template", got, err)
	}
	if _, err := cl.CloudFormation.ExecuteChangeSet(ctx, &cloudformation.ExecuteChangeSetInput{StackName: aws.String("cfn-pending"), ChangeSetName: aws.String("next")}); err != nil {
		t.Fatal(err)
	}
	if got, err := c.PendingTemplates(ctx, "cfn-pending"); err != nil || len(got) != 0 {
		t.Errorf("after execution: PendingTemplates = %v, %v; want none", got, err)
	}
}
