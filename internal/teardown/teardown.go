// Package teardown deletes a deployed application as `sam delete` does: the stack, its ECR
// companion stack with the repositories and their images, the images the stack's functions
// use in other repositories, and its artifacts in the deployment bucket. Every question is
// asked before anything is deleted, and the application stack goes first: when its deletion
// fails, its images and artifacts are all still there.
package teardown

import (
	"context"
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"

	"github.com/samship/samship/internal/artifacts"
	"github.com/samship/samship/internal/cfn"
	"github.com/samship/samship/internal/companion"
	"github.com/samship/samship/internal/template"
)

// Input is what to delete.
type Input struct {
	StackName string
	// Bucket and Prefix locate the artifacts (--s3-bucket, --s3-prefix); when Bucket is empty
	// they come from the first S3 artifact the stack's template names.
	Bucket, Prefix string
	// NoPrompts answers every question with yes (--no-prompts).
	NoPrompts bool
}

// Stacks is what teardown needs from CloudFormation.
type Stacks interface {
	Describe(ctx context.Context, name string) (*cfn.Stack, error)
	Template(ctx context.Context, name string) (string, error)
	ResourcePhysicalID(ctx context.Context, stack, logicalID string) (string, error)
	DeleteStack(ctx context.Context, st *cfn.Stack, roleARN string, retain ...string) error
	UpdateStack(ctx context.Context, in *cloudformation.UpdateStackInput) (*cfn.Stack, error)
}

// Env is how teardown reaches AWS and the user.
type Env struct {
	Stacks  Stacks
	Images  Images
	Objects Objects
	// S3Endpoint is the S3 endpoint configured ("" for AWS's): a nested template URL on it
	// names an object too.
	S3Endpoint string
	Region     string
	UI         Reporter
	// Confirm asks a yes/no question; the prompter styles it (bold on a terminal).
	Confirm func(ctx context.Context, question string, def bool) (bool, error)
}

// plan is what the answers decided.
type plan struct {
	stack, comp           *cfn.Stack
	body                  string
	bucket, prefix        string
	folder, templateFile  bool
	repos                 []companion.Repo    // companion repositories to delete
	keep                  []companion.Repo    // companion repositories the user keeps
	settings              companion.Settings  // the repositories' settings as deployed
	objects               []template.S3Object // the stack's artifacts
	images                []string            // the images its functions use
	ownRepos              []string            // logical ids of its own ECR repositories
	emptyFirst            []string            // the stack's own repositories to empty so that they go
	retain                []string            // logical ids of the stack's own repositories to keep
	templateKey, compName string
	res                   *Result // what is done, as it is done
}

// Run asks its questions, then deletes what the answers allow, and returns what it deleted
// (also with an error, up to it). A stack that does not exist is reported and is not an
// error, as in SAM CLI.
func Run(ctx context.Context, in Input, e Env) (*Result, error) {
	res := newResult(in, e.Region)
	p, err := ask(ctx, in, e, res)
	if p == nil || err != nil {
		return res, err
	}
	return res, p.apply(ctx, e)
}

func ask(ctx context.Context, in Input, e Env, res *Result) (*plan, error) {
	yes := func(q string) (bool, error) {
		if in.NoPrompts {
			return true, nil
		}
		return e.Confirm(ctx, q, false)
	}
	ok, err := yes(fmt.Sprintf("\tAre you sure you want to delete the stack %s in the region %s ?", in.StackName, e.Region))
	if err != nil || !ok {
		return nil, err
	}
	st, err := e.Stacks.Describe(ctx, in.StackName)
	if cfn.IsNotFound(err) {
		res.StackNotFound = true
		return resume(ctx, in, e, yes, res)
	}
	if err != nil {
		return nil, err
	}
	if st.TerminationProtection {
		//lint:ignore ST1005 SAM CLI's own message, word for word (design.md §1)
		return nil, fmt.Errorf("Stack %s cannot be deleted while TerminationProtection is enabled.", in.StackName)
	}
	p := &plan{stack: st, bucket: in.Bucket, prefix: in.Prefix, compName: companion.StackName(in.StackName), res: res}
	// A stack whose only change set was never executed (REVIEW_IN_PROGRESS) holds nothing and
	// has no template to read.
	if st.Status != "REVIEW_IN_PROGRESS" {
		if p.body, err = e.Stacks.Template(ctx, st.ID); err != nil {
			//lint:ignore ST1005 SAM CLI's own message, word for word (design.md §1)
			return nil, fmt.Errorf("Failed to fetch the template for the stack: %s, %w", in.StackName, err)
		}
		tpl, err := template.Parse(in.StackName, []byte(p.body))
		if err != nil {
			return nil, fmt.Errorf("read the template of stack %s: %w", in.StackName, err)
		}
		p.objects, p.images, p.ownRepos = tpl.S3Artifacts(e.S3Endpoint), tpl.ImageURIs(), tpl.ECRRepositories()
		nested, err := nestedArtifacts(ctx, e, tpl, map[template.S3Object]bool{}, res)
		if err != nil {
			return nil, err
		}
		p.objects = dedupe(append(p.objects, nested...))
	}
	p.templateKey = artifacts.TemplateName([]byte(p.body))
	if p.bucket == "" {
		if objs := p.objects; len(objs) > 0 {
			p.bucket = objs[0].Bucket
			if i := strings.LastIndexByte(objs[0].Key, '/'); i > 0 {
				p.prefix = objs[0].Key[:i]
			}
		}
	}
	if p.bucket != "" {
		if p.prefix != "" {
			if p.folder, err = yes(fmt.Sprintf("\tAre you sure you want to delete the folder %s in S3 which contains the artifacts?", p.prefix)); err != nil {
				return nil, err
			}
		}
		if !p.folder {
			if p.templateFile, err = yes(fmt.Sprintf("\tDo you want to delete the template file %s in S3?", p.templateKey)); err != nil {
				return nil, err
			}
		}
	}
	for _, id := range p.ownRepos {
		name, err := e.Stacks.ResourcePhysicalID(ctx, st.ID, id)
		if err != nil {
			return nil, err
		}
		ok, err := yes(fmt.Sprintf("\tECR repository %s may not be empty. Do you want to delete the repository and all the images in it ?", name))
		if err != nil {
			return nil, err
		}
		if ok {
			p.emptyFirst = append(p.emptyFirst, name)
		} else {
			p.retain = append(p.retain, id)
		}
	}
	if p.comp, err = e.Stacks.Describe(ctx, p.compName); err != nil && !cfn.IsNotFound(err) {
		return nil, err
	}
	if p.comp != nil {
		e.UI.FoundCompanion(p.compName)
		ok, err := yes(fmt.Sprintf("\tDo you want to delete the ECR companion stack %s in the region %s ?", p.compName, e.Region))
		if err != nil {
			return nil, err
		}
		if err := p.askRepos(ctx, e, ok, yes); err != nil {
			return nil, err
		}
		if !ok {
			p.comp = nil
		}
	}
	return p, nil
}

// askRepos asks, for each repository of the companion stack, whether it goes with its images;
// when the companion stack stays (del false), all of them are kept, and so are their images
// the application's functions used.
func (p *plan) askRepos(ctx context.Context, e Env, del bool, yes func(string) (bool, error)) error {
	body, err := e.Stacks.Template(ctx, p.comp.ID)
	if err != nil {
		//lint:ignore ST1005 SAM CLI's own message, word for word (design.md §1)
		return fmt.Errorf("Failed to fetch the template for the stack: %s, %w", p.compName, err)
	}
	repos, _, err := companion.ParseDeployed(body)
	if err != nil {
		return fmt.Errorf("read companion stack %s: %w", p.compName, err)
	}
	// A rewrite of the companion template keeps the repositories' settings as deployed.
	if p.settings, err = companion.DeployedSettings(body); err != nil {
		return fmt.Errorf("read companion stack %s: %w", p.compName, err)
	}
	p.res.Companion = &CompanionStack{StackName: p.compName, KeptRepositories: []string{}}
	for _, r := range repos {
		ok := false
		if del {
			if ok, err = yes(fmt.Sprintf("\tECR repository %s may not be empty. Do you want to delete the repository and all the images in it ?", r.Name)); err != nil {
				return err
			}
		}
		if ok {
			p.repos = append(p.repos, r)
			continue
		}
		p.keep = append(p.keep, r)
		p.res.Companion.KeptRepositories = append(p.res.Companion.KeptRepositories, r.Name)
	}
	return nil
}

// apply deletes, in this order: the application stack (its own repositories emptied first
// when they are to go, kept when not), the images its functions use outside the companion
// stack, the companion stack with its repositories (the kept ones stay), and the artifacts
// in the bucket.
func (p *plan) apply(ctx context.Context, e Env) error {
	for _, name := range p.emptyFirst {
		n, err := companion.Empty(ctx, e.Images, name)
		if err != nil {
			return err
		}
		e.UI.DeletingRepository(name, n)
		p.res.RepositoriesDeleted = append(p.res.RepositoriesDeleted, Repository{Name: name, Images: n})
	}
	if p.stack != nil { // nil when finishing a delete whose application stack already went
		e.UI.DeletingStack(p.stack.Name)
		err := e.Stacks.DeleteStack(ctx, p.stack, "")
		var sf *cfn.StackFailedError
		if errors.As(err, &sf) && sf.Status == "DELETE_FAILED" && len(p.retain) > 0 {
			// CloudFormation does not delete a repository that holds images: keep the ones asked.
			e.UI.Retaining(p.retain)
			p.res.RetainedResources = p.retain
			err = e.Stacks.DeleteStack(ctx, p.stack, "", p.retain...)
		}
		if err != nil {
			//lint:ignore ST1005 SAM CLI's own message, word for word (design.md §1)
			return fmt.Errorf("Failed to delete the stack: %s, msg: %w", p.stack.Name, err)
		}
		p.res.StackDeleted = true
	}
	companionRepos := map[string]bool{}
	for _, r := range append(append([]companion.Repo{}, p.repos...), p.keep...) {
		companionRepos[r.Name] = true
	}
	for _, ref := range p.images {
		if err := deleteImage(ctx, e, ref, companionRepos, p.res); err != nil {
			return err
		}
	}
	if p.comp != nil {
		if err := p.deleteCompanion(ctx, e); err != nil {
			return err
		}
	}
	if p.bucket != "" {
		if err := p.deleteArtifacts(ctx, e, p.objects); err != nil {
			return err
		}
	} else if len(p.body) > companion.InlineLimit {
		// Only a template too large to deploy inline is known to be in a bucket no one named;
		// a stack without S3 artifacts has nothing there to warn about.
		e.UI.NoBucket()
	}
	e.UI.Deleted()
	return nil
}

// deleteCompanion empties the repositories to delete and deletes the companion stack. When
// some repositories are kept, the stack stays with just those (an update removes the others,
// as a deploy removes a function's repository), rather than leaving them outside any stack.
func (p *plan) deleteCompanion(ctx context.Context, e Env) error {
	for _, r := range p.repos {
		n, err := companion.Empty(ctx, e.Images, r.Name)
		if err != nil {
			return err
		}
		e.UI.DeletingRepository(r.Name, n)
		p.res.RepositoriesDeleted = append(p.res.RepositoriesDeleted, Repository{Name: r.Name, Images: n})
	}
	if len(p.keep) > 0 {
		e.UI.KeepingCompanion(p.compName, len(p.keep))
		body, err := companion.Template(p.compName, p.keep, p.settings)
		if err != nil {
			return err
		}
		if len(p.repos) == 0 {
			return nil
		}
		in := &cloudformation.UpdateStackInput{StackName: aws.String(p.comp.ID), TemplateBody: aws.String(string(body)),
			Tags: cfnTags(p.comp.Tags)}
		if _, err := e.Stacks.UpdateStack(ctx, in); err != nil {
			return fmt.Errorf("update companion stack %s: %w", p.compName, err)
		}
		return nil
	}
	e.UI.DeletingCompanion(p.compName)
	if err := e.Stacks.DeleteStack(ctx, p.comp, ""); err != nil {
		//lint:ignore ST1005 SAM CLI's own message, word for word (design.md §1)
		return fmt.Errorf("Failed to delete the stack: %s, msg: %w", p.compName, err)
	}
	p.res.Companion.Deleted = true
	return nil
}

// cfnTags keeps a stack's tags on an update.
func cfnTags(tags map[string]string) []cfntypes.Tag {
	out := []cfntypes.Tag{}
	for k, v := range tags {
		out = append(out, cfntypes.Tag{Key: aws.String(k), Value: aws.String(v)})
	}
	return out
}

// deleteArtifacts deletes the stack's objects from the bucket, then its folder or its
// template file, as answered.
func (p *plan) deleteArtifacts(ctx context.Context, e Env, objs []template.S3Object) error {
	for _, o := range objs {
		if o.Bucket != p.bucket {
			e.UI.KeepingObject(o.Bucket, o.Key, p.bucket)
			p.res.ObjectsKept = append(p.res.ObjectsKept, Object{Bucket: o.Bucket, Key: o.Key})
			continue
		}
		if err := deleteObject(ctx, e, p.bucket, o.Key, p.res); err != nil {
			return err
		}
	}
	switch {
	case p.folder:
		return deleteFolder(ctx, e, p.bucket, p.prefix, p.res)
	case p.templateFile:
		key := p.templateKey
		if p.prefix != "" {
			key = path.Join(p.prefix, key)
		}
		return deleteObject(ctx, e, p.bucket, key, p.res)
	}
	return nil
}
