// Package deploy runs one `samship deploy` (and the part of it `samship package` is): it
// validates the options against the template, plans the companion stack, makes the
// repositories and pushes the images while it uploads the artifacts and creates the change
// set, executes the change set, and removes unreferenced repositories only after the stack
// deployed. It reaches AWS only through Env, tells what it does to a Reporter (text or JSON
// lines) and returns a Result.
package deploy

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/samship/samship/internal/companion"
	"github.com/samship/samship/internal/imageref"
	"github.com/samship/samship/internal/images"
	"github.com/samship/samship/internal/registry"
	"github.com/samship/samship/internal/template"
)

// KV is one key/value pair in the order the user gave it (tags, parameter overrides).
type KV struct{ Key, Value string }

// Options are the resolved inputs of one deploy (flags over samconfig over defaults).
type Options struct {
	TemplateFile      string
	StackName         string
	S3Bucket          string
	S3Prefix          string
	ResolveS3         bool
	KMSKeyID          string
	ImageRepository   string
	ImageRepositories map[string]string
	// ImageReposFrom names where ImageRepositories came from when not the command line
	// ("samconfig.toml [default.deploy.parameters]"), for errors about its entries.
	ImageReposFrom       string
	ResolveImageRepos    bool
	Capabilities         []string
	ParameterOverrides   []KV
	Tags                 []KV
	RoleARN              string
	NotificationARNs     []string
	NoExecuteChangeset   bool
	ConfirmChangeset     bool
	FailOnEmptyChangeset bool
	DisableRollback      bool
	// OnFailure is --on-failure: with DELETE a stack whose create failed is deleted (DO_NOTHING
	// has already become DisableRollback).
	OnFailure string
	// Express deploys in CloudFormation's Express mode (--express), the helper stacks too.
	Express bool
	// MaxWait bounds the wait for the stack operation (--max-wait-duration); 0: no bound.
	MaxWait     time.Duration
	ForceUpload bool
	// Metadata is the S3 object metadata of uploads (--metadata).
	Metadata map[string]string
	// UseJSON sends (or writes) the packaged template as JSON, as SAM CLI's --use-json.
	UseJSON bool
	// NoProgressBar keeps terminal output to one line per image (--no-progressbar).
	NoProgressBar bool
	// RepoSettings go into every managed repository (--image-repos-*).
	RepoSettings companion.Settings
	// PollCap caps the polling interval (SAM_CLI_POLL_DELAY).
	PollCap time.Duration
	// ImagePushJobs bounds how many images are pushed at once (8 when 0).
	ImagePushJobs int
	// Engine is the Docker or Podman engine local image names are read from (nil: none).
	Engine *registry.Engine
	// PackageOnly prepares a `samship package`: nothing is deployed, so no template size
	// limit applies.
	PackageOnly bool
	// Guided marks a deploy whose answers came from the guided flow: mapped and managed
	// repositories may be mixed, and the flow has already shown the managed bucket.
	Guided bool
}

// UsageError is bad input found before anything ran; the CLI exits 2 for it.
type UsageError struct {
	Msg string
	err error // what it marks, when made by Usage
}

func (e *UsageError) Error() string { return e.Msg }
func (e *UsageError) Unwrap() error { return e.err }

// Usage marks err as bad usage: SAM CLI's exit code 2.
func Usage(err error) error { return &UsageError{Msg: err.Error(), err: err} }

var stackNamePattern = regexp.MustCompile(`^[a-zA-Z][-a-zA-Z0-9]*$`)

// CheckStackName applies CloudFormation's stack name rules.
func CheckStackName(name string) error {
	switch {
	case name == "":
		return &UsageError{Msg: "Missing option '--stack-name', 'samship deploy --guided' can be used to provide and save needed parameters for future deploys."}
	case len(name) > 128:
		return &UsageError{Msg: fmt.Sprintf("invalid --stack-name %q: %d characters, CloudFormation allows at most 128", name, len(name))}
	case !stackNamePattern.MatchString(name):
		return &UsageError{Msg: fmt.Sprintf("invalid --stack-name %q: it must start with a letter and contain only letters, digits and hyphens", name)}
	}
	return nil
}

// Input is a validated deploy: the options with the loaded template tree.
type Input struct {
	Options
	Template *template.Template
	Tree     *template.Tree
	// Managed lists the full paths of functions that get companion repositories.
	Managed []string
	// Mapped maps full paths of image functions to user-given repository URIs.
	Mapped map[string]string
	// Order lists the image functions' full paths in template order.
	Order []string
	// Plan is the companion plan when the caller already computed it (guided deploys).
	Plan *companion.Plan
	// Push lists the image functions whose image samship pushes (a file, a directory or
	// another registry's image), in template order.
	Push []string
}

// Prepare loads the template and validates everything that needs no AWS call, with SAM CLI's
// messages where SAM CLI has one.
func Prepare(ctx context.Context, o Options, region string) (*Input, error) {
	if err := CheckStackName(o.StackName); err != nil {
		return nil, err
	}
	set := 0
	for _, b := range []bool{o.ImageRepository != "", len(o.ImageRepositories) > 0, o.ResolveImageRepos} {
		if b {
			set++
		}
	}
	if set > 1 && !o.Guided {
		return nil, &UsageError{Msg: "Only one of the following can be provided: '--image-repositories', '--image-repository', '--resolve-image-repos'. Do you have multiple specified in the command or in a configuration file?"}
	}
	if o.ResolveS3 && o.S3Bucket != "" {
		return nil, &UsageError{Msg: "Cannot use both --resolve-s3 and --s3-bucket parameters in non-guided deployments. Please use only one or use the --guided option for a guided deployment."}
	}
	if o.ImageRepository != "" && !imageref.IsRepositoryURI(o.ImageRepository) {
		return nil, &UsageError{Msg: fmt.Sprintf("Invalid value for '--image-repository': Invalid Image Repository ECR URI: %s", o.ImageRepository)}
	}
	for k, v := range o.ImageRepositories {
		if !imageref.IsRepositoryURI(v) {
			return nil, &UsageError{Msg: fmt.Sprintf("Invalid value for '--image-repositories': %s=%s: %q is not an ECR repository URI", k, v, v)}
		}
	}
	tpl, err := template.Load(o.TemplateFile)
	if err != nil {
		return nil, err
	}
	overrides := map[string]string{}
	for _, kv := range o.ParameterOverrides {
		overrides[kv.Key] = kv.Value
	}
	tree, err := template.Discover(tpl, overrides, region)
	if err != nil {
		return nil, err
	}
	if tpl.Size() > companion.InlineLimit && o.S3Bucket == "" && !o.ResolveS3 && !o.PackageOnly {
		//lint:ignore ST1005 SAM CLI's own message, word for word (design.md §1)
		return nil, errors.New("Templates with a size greater than 51,200 bytes must be deployed via an S3 Bucket. Please add the --s3-bucket parameter to your command. The local template will be copied to that S3 bucket and then deployed.")
	}
	in := &Input{Options: o, Template: tpl, Tree: tree, Mapped: map[string]string{}}
	for _, f := range tree.ImageFunctions() {
		in.Order = append(in.Order, f.FullPath)
	}
	if err := in.resolveRepos(); err != nil {
		return nil, err
	}
	return in, in.checkDeployable(ctx)
}

// resolveRepos decides each image function's repository: mapped, shared, or managed.
func (in *Input) resolveRepos() error {
	keys := make([]string, 0, len(in.ImageRepositories))
	for k := range in.ImageRepositories {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fp, ok := in.Tree.ResolveKey(k)
		if !ok {
			msg := fmt.Sprintf("Invalid value for '--image-repositories': function %s is not in template %s", k, in.TemplateFile)
			if in.ImageReposFrom != "" {
				msg += fmt.Sprintf(" (the entry comes from %s image_repositories: remove it there, deploy with --resolve-image-repos, or run samship deploy --guided)", in.ImageReposFrom)
			}
			return &UsageError{Msg: msg}
		}
		in.Mapped[fp] = in.ImageRepositories[k]
	}
	var missing []string
	for _, fp := range in.Order {
		switch {
		case in.ImageRepository != "":
			in.Mapped[fp] = in.ImageRepository
		case in.Mapped[fp] != "":
		case in.ResolveImageRepos:
			in.Managed = append(in.Managed, fp)
		default:
			missing = append(missing, fp)
		}
	}
	switch {
	case len(missing) > 0 && len(in.ImageRepositories) == 0:
		return &UsageError{Msg: "Missing option '--image-repositories', '--image-repository', '--resolve-image-repos'"}
	case len(missing) > 0:
		return &UsageError{Msg: fmt.Sprintf("Incomplete list of function logical ids specified for '--image-repositories': no repository for %s. You can also add --resolve-image-repos to automatically create missing repositories.",
			strings.Join(missing, ", "))}
	}
	return nil
}

// checkDeployable sorts the image functions into those deployed as they are and those whose
// image samship pushes (images.Select), and rejects, before anything runs, what it cannot
// deploy: images it cannot read, local files that do not exist, and packaging without a bucket.
func (in *Input) checkDeployable(ctx context.Context) error {
	push, err := images.Select(ctx, in.Tree.Functions(), in.Engine)
	if err != nil {
		return err
	}
	for _, f := range push {
		in.Push = append(in.Push, f.FullPath)
	}
	// Local files and nested templates are packaged into the deployment bucket.
	needBucket := len(in.Tree.Stacks) > 1
	for _, st := range in.Tree.Stacks {
		if _, err := st.Template.S3URLEdits(); err != nil {
			return err // an s3:// value that names no object
		}
		for _, a := range st.Template.LocalArtifacts() {
			needBucket = true
			p := a.Path
			if !filepath.IsAbs(p) {
				p = filepath.Join(st.Template.Dir(), p)
			}
			if !exists(p) {
				return fmt.Errorf("%s: %s of %s names %s, which does not exist", a.Where, a.Property, a.Resource, a.Path)
			}
		}
	}
	if needBucket && in.S3Bucket == "" && !in.ResolveS3 {
		return errors.New("S3 Bucket not specified, use --s3-bucket to specify a bucket name, or use --resolve-s3 to create a managed default bucket, or run samship deploy --guided")
	}
	return nil
}

// Repos returns the image repository of every image function, in template order, given the
// account and region of the managed ones.
func (in *Input) Repos(account, region string) []KV {
	var out []KV
	managed := map[string]bool{}
	for _, fp := range in.Managed {
		managed[fp] = true
	}
	for _, fp := range in.Order {
		if managed[fp] {
			out = append(out, KV{fp, companion.URI(account, region, companion.NewRepo(in.StackName, fp).Name)})
		} else if u := in.Mapped[fp]; u != "" {
			out = append(out, KV{fp, u})
		}
	}
	return out
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
