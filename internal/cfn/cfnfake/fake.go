// Package cfnfake is an in-memory CloudFormation for unit tests of code built on cfn: stacks
// with templates, change sets, events, and switches for what moto cannot show (operations
// that fail and roll back, stacks that stay in progress for a while).
package cfnfake

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/smithy-go"
)

// Stack is one fake stack.
type Stack struct {
	Name, ID, Status, Template string
	Events                     []types.StackEvent
	// InProgressPolls makes the next that many describes report Status+"_IN_PROGRESS"-like
	// PendingStatus before Status.
	InProgressPolls int
	PendingStatus   string
	Outputs         []types.Output
	// TerminationProtection is reported by DescribeStacks.
	TerminationProtection bool
	// Resources maps logical ids to physical ids for DescribeStackResource and
	// ListStackResources; Types gives their types (AWS::Lambda::Function when absent).
	Resources map[string]string
	Types     map[string]string
	// Changed is the stack's LastUpdatedTime; Description its template's description.
	Changed     time.Time
	Description string
	// Token is the client request token of the stack's latest operation; its events carry it.
	Token string
	// Tags are the stack's tags, as CreateStack gave them.
	Tags map[string]string
}

// Failure makes the next operation on a stack fail with a resource event.
type Failure struct {
	LogicalID, Type, Reason string
}

// CFN is the fake. Calls records operation names in order.
type CFN struct {
	mu        sync.Mutex
	Stacks    map[string]*Stack
	changeSet map[string]*changeSet
	// Fail maps a stack name to a failure of its next create, update, change-set execution or
	// delete.
	Fail map[string]Failure
	// FailChangeSet maps a stack name to the reason its change sets fail to be created.
	FailChangeSet map[string]string
	// Hang names stacks whose next operation starts and never ends.
	Hang map[string]bool
	// LoseAnswer names stacks whose next CreateStack is carried out but answered
	// AlreadyExistsException, as the SDK's retry sees it when the first answer was lost.
	LoseAnswer map[string]bool
	Calls      []string
	// Before, when set, runs before each operation is carried out, with the lock held, given
	// the operation as Calls records it: a test makes another deploy's effect happen at
	// that step by changing Stacks.
	Before func(op string)
	clock  time.Time
	seq    int
}

type changeSet struct {
	stack, template, typ string
	created              time.Time
	executed             bool
}

// New returns an empty fake.
func New() *CFN {
	return &CFN{Stacks: map[string]*Stack{}, changeSet: map[string]*changeSet{}, Fail: map[string]Failure{}, FailChangeSet: map[string]string{}, Hang: map[string]bool{}, LoseAnswer: map[string]bool{},
		clock: time.Date(2026, 11, 22, 5, 0, 0, 0, time.UTC)}
}

func (f *CFN) tick() time.Time { f.clock = f.clock.Add(time.Second); return f.clock }

// Seed adds a stack in the given status with the given template.
func (f *CFN) Seed(name, status, template string) *Stack {
	f.seq++
	s := &Stack{Name: name, ID: fmt.Sprintf("arn:aws:cloudformation:us-east-1:123456789012:stack/%s/%d", name, f.seq), Status: status, Template: template}
	f.Stacks[name] = s
	return s
}

// SeedChangeSet adds a change set of template to the stack named, ready to execute, as
// another deploy leaves it; it takes no lock (call it from Before, or before the run).
func (f *CFN) SeedChangeSet(stack, name, template string) {
	s := f.find(stack)
	f.changeSet[s.ID+"/changeSet/"+name] = &changeSet{stack: s.Name, template: template, typ: "UPDATE", created: f.tick()}
}

// DropChangeSets deletes the stack's change sets, as CloudFormation does when another one of
// the stack is executed; it takes no lock (call it from Before).
func (f *CFN) DropChangeSets(stack string) {
	for id, cs := range f.changeSet {
		if cs.stack == stack {
			delete(f.changeSet, id)
		}
	}
}

func (f *CFN) find(nameOrID string) *Stack {
	for _, s := range f.Stacks {
		if s.Name == nameOrID || s.ID == nameOrID {
			return s
		}
	}
	return nil
}

func validation(msg string) error {
	return &smithy.GenericAPIError{Code: "ValidationError", Message: msg}
}

func (f *CFN) event(s *Stack, logical, typ, status, reason string) {
	f.seq++
	phys := s.ID
	if logical != s.Name {
		phys = logical + "-phys"
	}
	s.Events = append([]types.StackEvent{{
		EventId: aws.String(fmt.Sprint(f.seq)), StackId: aws.String(s.ID), StackName: aws.String(s.Name),
		LogicalResourceId: aws.String(logical), PhysicalResourceId: aws.String(phys), ResourceType: aws.String(typ),
		ResourceStatus: types.ResourceStatus(status), ResourceStatusReason: aws.String(reason), Timestamp: aws.Time(f.tick()),
		ClientRequestToken: aws.String(s.Token),
	}}, s.Events...)
}

// operate runs one create/update on s, failing it when asked to.
func (f *CFN) operate(s *Stack, verb, template string) {
	start := strings.ToUpper(verb)
	f.event(s, s.Name, "AWS::CloudFormation::Stack", start+"_IN_PROGRESS", "User Initiated")
	if f.Hang[s.Name] {
		s.Status = start + "_IN_PROGRESS"
		return
	}
	if fl, ok := f.Fail[s.Name]; ok {
		delete(f.Fail, s.Name)
		f.event(s, fl.LogicalID, fl.Type, start+"_FAILED", fl.Reason)
		final := "ROLLBACK_COMPLETE"
		if verb == "update" {
			final = "UPDATE_ROLLBACK_COMPLETE"
		}
		f.event(s, s.Name, "AWS::CloudFormation::Stack", final, "")
		s.Status = final
		return
	}
	s.Template = template
	s.Status = start + "_COMPLETE"
	f.event(s, s.Name, "AWS::CloudFormation::Stack", s.Status, "")
}

func (f *CFN) record(op string) {
	f.Calls = append(f.Calls, op)
	if f.Before != nil {
		f.Before(op)
	}
}

func (f *CFN) DescribeStacks(_ context.Context, in *cloudformation.DescribeStacksInput, _ ...func(*cloudformation.Options)) (*cloudformation.DescribeStacksOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.record("DescribeStacks " + aws.ToString(in.StackName))
	s := f.find(aws.ToString(in.StackName))
	if s == nil {
		return nil, validation("Stack with id " + aws.ToString(in.StackName) + " does not exist")
	}
	status := s.Status
	if s.InProgressPolls > 0 {
		s.InProgressPolls--
		status = s.PendingStatus
	}
	return &cloudformation.DescribeStacksOutput{Stacks: []types.Stack{{StackName: aws.String(s.Name), StackId: aws.String(s.ID),
		StackStatus: types.StackStatus(status), Outputs: s.Outputs, EnableTerminationProtection: aws.Bool(s.TerminationProtection), Tags: tags(s.Tags), Description: aws.String(s.Description),
		LastUpdatedTime: aws.Time(s.Changed)}}}, nil
}

func (f *CFN) DescribeStackEvents(_ context.Context, in *cloudformation.DescribeStackEventsInput, _ ...func(*cloudformation.Options)) (*cloudformation.DescribeStackEventsOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.record("DescribeStackEvents")
	s := f.find(aws.ToString(in.StackName))
	if s == nil {
		return nil, validation("Stack with id " + aws.ToString(in.StackName) + " does not exist")
	}
	return &cloudformation.DescribeStackEventsOutput{StackEvents: s.Events}, nil
}

func (f *CFN) CreateStack(_ context.Context, in *cloudformation.CreateStackInput, _ ...func(*cloudformation.Options)) (*cloudformation.CreateStackOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.record("CreateStack " + aws.ToString(in.StackName) + mode(in.DeploymentConfig))
	if s := f.find(aws.ToString(in.StackName)); s != nil {
		return nil, &smithy.GenericAPIError{Code: "AlreadyExistsException", Message: "Stack [" + s.Name + "] already exists"}
	}
	s := f.Seed(aws.ToString(in.StackName), "", "")
	s.Token = aws.ToString(in.ClientRequestToken)
	for _, t := range in.Tags {
		if s.Tags == nil {
			s.Tags = map[string]string{}
		}
		s.Tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	f.operate(s, "create", aws.ToString(in.TemplateBody))
	if f.LoseAnswer[s.Name] {
		delete(f.LoseAnswer, s.Name)
		return nil, &smithy.GenericAPIError{Code: "AlreadyExistsException", Message: "Stack [" + s.Name + "] already exists"}
	}
	return &cloudformation.CreateStackOutput{StackId: aws.String(s.ID)}, nil
}

func (f *CFN) UpdateStack(_ context.Context, in *cloudformation.UpdateStackInput, _ ...func(*cloudformation.Options)) (*cloudformation.UpdateStackOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.record("UpdateStack " + aws.ToString(in.StackName) + mode(in.DeploymentConfig))
	s := f.find(aws.ToString(in.StackName))
	if s == nil {
		return nil, validation("Stack with id " + aws.ToString(in.StackName) + " does not exist")
	}
	if s.Status == "ROLLBACK_COMPLETE" {
		return nil, validation("Stack:" + s.ID + " is in ROLLBACK_COMPLETE state and can not be updated.")
	}
	if s.Template == aws.ToString(in.TemplateBody) {
		return nil, validation("No updates are to be performed.")
	}
	s.Token = aws.ToString(in.ClientRequestToken)
	f.operate(s, "update", aws.ToString(in.TemplateBody))
	return &cloudformation.UpdateStackOutput{StackId: aws.String(s.ID)}, nil
}

func (f *CFN) DeleteStack(_ context.Context, in *cloudformation.DeleteStackInput, _ ...func(*cloudformation.Options)) (*cloudformation.DeleteStackOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	retain := ""
	if len(in.RetainResources) > 0 {
		retain = " retain " + strings.Join(in.RetainResources, ",")
	}
	f.record("DeleteStack " + aws.ToString(in.StackName) + mode(in.DeploymentConfig) + retain)
	if s := f.find(aws.ToString(in.StackName)); s != nil {
		if fl, ok := f.Fail[s.Name]; ok {
			delete(f.Fail, s.Name)
			f.event(s, s.Name, "AWS::CloudFormation::Stack", "DELETE_IN_PROGRESS", "User Initiated")
			f.event(s, fl.LogicalID, fl.Type, "DELETE_FAILED", fl.Reason)
			s.Status = "DELETE_FAILED"
			f.event(s, s.Name, "AWS::CloudFormation::Stack", s.Status, "")
			return &cloudformation.DeleteStackOutput{}, nil
		}
		s.Status = "DELETE_COMPLETE"
		delete(f.Stacks, s.Name)
	}
	return &cloudformation.DeleteStackOutput{}, nil
}

func (f *CFN) GetTemplate(_ context.Context, in *cloudformation.GetTemplateInput, _ ...func(*cloudformation.Options)) (*cloudformation.GetTemplateOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.record("GetTemplate " + aws.ToString(in.StackName))
	if cs := f.changeSet[aws.ToString(in.ChangeSetName)]; cs != nil {
		return &cloudformation.GetTemplateOutput{TemplateBody: aws.String(cs.template)}, nil
	}
	s := f.find(aws.ToString(in.StackName))
	if s == nil {
		return nil, validation("Stack with id " + aws.ToString(in.StackName) + " does not exist")
	}
	return &cloudformation.GetTemplateOutput{TemplateBody: aws.String(s.Template)}, nil
}

func (f *CFN) CreateChangeSet(_ context.Context, in *cloudformation.CreateChangeSetInput, _ ...func(*cloudformation.Options)) (*cloudformation.CreateChangeSetOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.record("CreateChangeSet" + mode(in.DeploymentConfig))
	name := aws.ToString(in.StackName)
	s := f.find(name)
	if s == nil {
		s = f.Seed(name, "REVIEW_IN_PROGRESS", "")
	}
	id := s.ID + "/changeSet/" + aws.ToString(in.ChangeSetName)
	f.changeSet[id] = &changeSet{stack: s.Name, template: aws.ToString(in.TemplateBody), typ: string(in.ChangeSetType), created: f.tick()}
	return &cloudformation.CreateChangeSetOutput{Id: aws.String(id), StackId: aws.String(s.ID)}, nil
}

func (f *CFN) DescribeChangeSet(_ context.Context, in *cloudformation.DescribeChangeSetInput, _ ...func(*cloudformation.Options)) (*cloudformation.DescribeChangeSetOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.record("DescribeChangeSet")
	cs := f.changeSet[aws.ToString(in.ChangeSetName)]
	if cs == nil {
		return nil, &smithy.GenericAPIError{Code: "ChangeSetNotFound", Message: "not found"}
	}
	out := &cloudformation.DescribeChangeSetOutput{CreationTime: aws.Time(cs.created), Status: types.ChangeSetStatusCreateComplete}
	if reason, ok := f.FailChangeSet[cs.stack]; ok {
		out.Status, out.StatusReason = types.ChangeSetStatusFailed, aws.String(reason)
		return out, nil
	}
	if f.Stacks[cs.stack].Template == cs.template {
		out.Status = types.ChangeSetStatusFailed
		out.StatusReason = aws.String("The submitted information didn't contain changes. Submit different information to create a change set.")
		return out, nil
	}
	out.Changes = []types.Change{{ResourceChange: &types.ResourceChange{Action: types.ChangeActionModify, LogicalResourceId: aws.String("Fn"), ResourceType: aws.String("AWS::Lambda::Function")}}}
	return out, nil
}

func (f *CFN) ExecuteChangeSet(_ context.Context, in *cloudformation.ExecuteChangeSetInput, _ ...func(*cloudformation.Options)) (*cloudformation.ExecuteChangeSetOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.record("ExecuteChangeSet")
	cs := f.changeSet[aws.ToString(in.ChangeSetName)]
	s := f.Stacks[cs.stack]
	verb := "update"
	if cs.typ == "CREATE" {
		verb = "create"
	}
	f.operate(s, verb, cs.template)
	cs.executed = true
	for id, other := range f.changeSet { // CloudFormation deletes the stack's other change sets
		if other != cs && other.stack == cs.stack {
			delete(f.changeSet, id)
		}
	}
	return &cloudformation.ExecuteChangeSetOutput{}, nil
}

// ListChangeSets implements cfn.API: the stack's change sets, AVAILABLE until executed.
func (f *CFN) ListChangeSets(_ context.Context, in *cloudformation.ListChangeSetsInput, _ ...func(*cloudformation.Options)) (*cloudformation.ListChangeSetsOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.record("ListChangeSets " + aws.ToString(in.StackName))
	s := f.find(aws.ToString(in.StackName))
	if s == nil {
		return nil, validation("Stack with id " + aws.ToString(in.StackName) + " does not exist")
	}
	out := &cloudformation.ListChangeSetsOutput{}
	for _, id := range slices.Sorted(maps.Keys(f.changeSet)) {
		cs := f.changeSet[id]
		if cs.stack != s.Name {
			continue
		}
		status := types.ExecutionStatusAvailable
		if cs.executed {
			status = types.ExecutionStatusExecuteComplete
		}
		out.Summaries = append(out.Summaries, types.ChangeSetSummary{ChangeSetId: aws.String(id), ChangeSetName: aws.String(id[strings.LastIndexByte(id, '/')+1:]),
			StackName: aws.String(s.Name), ExecutionStatus: status, Status: types.ChangeSetStatusCreateComplete})
	}
	return out, nil
}

func (f *CFN) DeleteChangeSet(_ context.Context, in *cloudformation.DeleteChangeSetInput, _ ...func(*cloudformation.Options)) (*cloudformation.DeleteChangeSetOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.record("DeleteChangeSet")
	delete(f.changeSet, aws.ToString(in.ChangeSetName))
	return &cloudformation.DeleteChangeSetOutput{}, nil
}

func (f *CFN) DescribeStackResource(_ context.Context, in *cloudformation.DescribeStackResourceInput, _ ...func(*cloudformation.Options)) (*cloudformation.DescribeStackResourceOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.record("DescribeStackResource")
	if s := f.find(aws.ToString(in.StackName)); s != nil {
		if phys, ok := s.Resources[aws.ToString(in.LogicalResourceId)]; ok {
			return &cloudformation.DescribeStackResourceOutput{StackResourceDetail: &types.StackResourceDetail{
				LogicalResourceId: in.LogicalResourceId, PhysicalResourceId: aws.String(phys)}}, nil
		}
	}
	return nil, validation("Resource " + aws.ToString(in.LogicalResourceId) + " does not exist")
}

func (f *CFN) ListStackResources(_ context.Context, in *cloudformation.ListStackResourcesInput, _ ...func(*cloudformation.Options)) (*cloudformation.ListStackResourcesOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.record("ListStackResources " + aws.ToString(in.StackName))
	s := f.find(aws.ToString(in.StackName))
	if s == nil {
		return nil, validation("Stack with id " + aws.ToString(in.StackName) + " does not exist")
	}
	out := &cloudformation.ListStackResourcesOutput{}
	for _, logical := range slices.Sorted(maps.Keys(s.Resources)) {
		typ := s.Types[logical]
		if typ == "" {
			typ = "AWS::Lambda::Function"
		}
		out.StackResourceSummaries = append(out.StackResourceSummaries, types.StackResourceSummary{LogicalResourceId: aws.String(logical),
			PhysicalResourceId: aws.String(s.Resources[logical]), ResourceType: aws.String(typ), ResourceStatus: types.ResourceStatusCreateComplete})
	}
	return out, nil
}

// ListStacks implements cfn.API: every stack, by name, on one page (the filter is not
// applied: the fake forgets deleted stacks).
func (f *CFN) ListStacks(_ context.Context, in *cloudformation.ListStacksInput, _ ...func(*cloudformation.Options)) (*cloudformation.ListStacksOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.record("ListStacks")
	out := &cloudformation.ListStacksOutput{}
	for _, name := range slices.Sorted(maps.Keys(f.Stacks)) {
		s := f.Stacks[name]
		out.StackSummaries = append(out.StackSummaries, types.StackSummary{StackName: aws.String(s.Name), StackId: aws.String(s.ID),
			StackStatus: types.StackStatus(s.Status), TemplateDescription: aws.String(s.Description), CreationTime: aws.Time(s.Changed)})
	}
	return out, nil
}

func tags(m map[string]string) []types.Tag {
	var out []types.Tag
	for k, v := range m {
		out = append(out, types.Tag{Key: aws.String(k), Value: aws.String(v)})
	}
	return out
}

// mode is how a call's deployment mode is recorded: " EXPRESS", or nothing for the standard one.
func mode(c *types.DeploymentConfig) string {
	if c == nil || c.Mode == "" {
		return ""
	}
	out := " " + string(c.Mode)
	if aws.ToBool(c.DisableRollback) {
		out += " no-rollback"
	}
	return out
}

// Called reports whether an operation starting with prefix was called.
func (f *CFN) Called(prefix string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, c := range f.Calls {
		if strings.HasPrefix(c, prefix) {
			return true
		}
	}
	return false
}
