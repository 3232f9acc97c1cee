package cfn_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"

	"github.com/samship/samship/internal/awsclient"
	"github.com/samship/samship/internal/cfn"
	"github.com/samship/samship/internal/testenv"
)

func TestMain(m *testing.M) {
	code := m.Run()
	testenv.StopShared()
	os.Exit(code)
}

const repoTemplate = `{"Resources":{"R":{"Type":"AWS::ECR::Repository","Properties":{"RepositoryName":"cfntest/r"}}},"Outputs":{"O":{"Value":"v"}}}`

func client(t *testing.T) (*cfn.Client, *awsclient.Clients) {
	t.Helper()
	m := testenv.SharedMoto(t)
	testenv.SetAWSEnv(t, m)
	cl, err := awsclient.New(context.Background(), awsclient.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return cfn.New(cl.CloudFormation, cfn.DefaultPoller(time.Second)), cl
}

func TestStackLifecycleOnMoto(t *testing.T) {
	testenv.Needs(t, "the local AWS")
	ctx := context.Background()
	c, _ := client(t)

	if _, err := c.Describe(ctx, "cfn-missing"); !cfn.IsNotFound(err) {
		t.Fatalf("Describe(missing) error = %v, want StackNotFoundError", err)
	}
	st, err := c.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("cfn-life"), TemplateBody: aws.String(repoTemplate)})
	if err != nil {
		t.Fatalf("CreateStack() = %v", err)
	}
	if st.Status != "CREATE_COMPLETE" || st.Account() != "123456789012" {
		t.Errorf("CreateStack() = status %s account %s", st.Status, st.Account())
	}
	body, err := c.Template(ctx, "cfn-life")
	if err != nil || body != repoTemplate {
		t.Errorf("Template() = %q, %v, want the template as sent", body, err)
	}
	if _, err := c.UpdateStack(ctx, &cloudformation.UpdateStackInput{StackName: aws.String("cfn-life"), TemplateBody: aws.String(repoTemplate)}); err != nil {
		t.Errorf("UpdateStack(no change) = %v, want success", err)
	}
	if err := c.DeleteStack(ctx, st, ""); err != nil {
		t.Errorf("DeleteStack() = %v", err)
	}
	if _, err := c.Describe(ctx, "cfn-life"); !cfn.IsNotFound(err) {
		t.Errorf("Describe(deleted) error = %v, want StackNotFoundError", err)
	}
}

func TestChangeSetsOnMoto(t *testing.T) {
	testenv.Needs(t, "the local AWS")
	ctx := context.Background()
	c, _ := client(t)
	in := func(typ string) *cloudformation.CreateChangeSetInput {
		return &cloudformation.CreateChangeSetInput{
			StackName: aws.String("cfn-cs"), ChangeSetName: aws.String("samship-" + typ + "-" + strings.ReplaceAll(time.Now().Format("150405.000000"), ".", "")),
			ChangeSetType: "CREATE", TemplateBody: aws.String(repoTemplate),
		}
	}
	cs, err := c.CreateChangeSet(ctx, in("create"))
	if err != nil {
		t.Fatalf("CreateChangeSet(create) = %v", err)
	}
	if len(cs.Changes) != 1 || cs.Changes[0].Action != "Add" || cs.Changes[0].LogicalID != "R" {
		t.Errorf("CreateChangeSet(create).Changes = %+v", cs.Changes)
	}
	if err := c.Execute(ctx, cs, "cfn-cs", false); err != nil {
		t.Fatal(err)
	}
	var events []cfn.Event
	st, err := c.Watch(ctx, cs.StackID, cs.Created, func(e cfn.Event) { events = append(events, e) })
	if err != nil || st.Status != "CREATE_COMPLETE" {
		t.Fatalf("Watch() = %+v, %v", st, err)
	}
	if len(events) == 0 || !events[len(events)-1].IsRoot() {
		t.Errorf("Watch() events = %+v, want the root stack's final event last", events)
	}
	upd := in("update")
	upd.ChangeSetType = "UPDATE"
	_, err = c.CreateChangeSet(ctx, upd)
	var empty *cfn.ChangeSetEmptyError
	if !errors.As(err, &empty) || err.Error() != "No changes to deploy. Stack cfn-cs is up to date" {
		t.Errorf("CreateChangeSet(unchanged) error = %v, want ChangeSetEmptyError", err)
	}
}
