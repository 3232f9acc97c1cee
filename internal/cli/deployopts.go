package cli

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/samship/samship/internal/deploy"
	"github.com/samship/samship/internal/output"
	"github.com/samship/samship/internal/registry"
)

// The flags deploy and package take, in groups (ko's options pattern): each group adds its
// flags and resolves its part of the run, parsing and checking its values, once samconfig's
// values are in the flags. A command that shares a group gets the same flags, defaults and
// errors.

// templateOptions: which template.
type templateOptions struct{ file string }

func (g *templateOptions) addFlags(fl *pflag.FlagSet) {
	fl.StringVarP(&g.file, "template-file", "t", "", "template (default: .aws-sam/build/template.yaml, template.yaml, template.yml or template.json); also --template")
}

func (g *templateOptions) resolve(o *deploy.Options, io IO) error {
	if o.TemplateFile = g.file; o.TemplateFile == "" {
		if o.TemplateFile = defaultTemplate(io.Getenv("SAM_TEMPLATE_FILE")); o.TemplateFile == "" {
			return fmt.Errorf("no template: looked for %s in %s; pass --template-file", strings.Join(templateNames, ", "), cwd())
		}
	}
	return nil
}

// stackOptions: which stack, where, as whom.
type stackOptions struct {
	name, region, profile string
	debug                 bool
}

func (g *stackOptions) addFlags(fl *pflag.FlagSet) {
	fl.StringVar(&g.name, "stack-name", "", "CloudFormation stack")
	fl.StringVar(&g.region, "region", "", "AWS region")
	fl.StringVar(&g.profile, "profile", "", "AWS profile from the shared config files")
}

func (g *stackOptions) resolve(o *deploy.Options, rt *deployRuntime, io IO) {
	o.StackName = g.name
	rt.Region, rt.Profile = g.region, g.profile
	rt.Debug = g.debug || io.Getenv("SAM_DEBUG") != ""
}

// artifactOptions: where local artifacts and templates go, and how.
type artifactOptions struct {
	s3Bucket, s3Prefix     string
	resolveS3, noResolveS3 bool
	kmsKeyID               string
	parameterOverrides     []string
	forceUpload            bool
	metadata               string
	useJSON                bool
}

func (g *artifactOptions) addFlags(fl *pflag.FlagSet) {
	fl.StringVar(&g.s3Bucket, "s3-bucket", "", "bucket for local artifacts, nested templates and templates larger than 51,200 bytes")
	fl.StringVar(&g.s3Prefix, "s3-prefix", "", "prefix of the objects samship puts in the bucket")
	fl.BoolVar(&g.resolveS3, "resolve-s3", false, "use (and create if needed) the managed bucket stack aws-sam-cli-managed-default")
	fl.BoolVar(&g.noResolveS3, "no-resolve-s3", false, "do not use the managed bucket")
	fl.StringVar(&g.kmsKeyID, "kms-key-id", "", "KMS key for objects put in the bucket")
}

func (g *artifactOptions) addLaterFlags(fl *pflag.FlagSet) {
	fl.StringArrayVar(&g.parameterOverrides, "parameter-overrides", nil, "template parameters, Key=Value")
	fl.BoolVar(&g.forceUpload, "force-upload", false, "upload artifacts and templates even when the bucket has them")
	fl.StringVar(&g.metadata, "metadata", "", "S3 object metadata for uploads, KeyName1=string,KeyName2=string or a JSON object")
	fl.BoolVar(&g.useJSON, "use-json", false, "write the packaged template as JSON (indented by four spaces)")
}

func (g *artifactOptions) resolve(o *deploy.Options) error {
	o.S3Bucket, o.S3Prefix, o.ResolveS3, o.KMSKeyID = g.s3Bucket, g.s3Prefix, g.resolveS3 && !g.noResolveS3, g.kmsKeyID
	o.ForceUpload, o.UseJSON = g.forceUpload, g.useJSON
	var err error
	if o.ParameterOverrides, err = parseOverrides(g.parameterOverrides); err != nil {
		return err
	}
	o.Metadata, err = parseMetadata(g.metadata)
	return err
}

// imageOptions: where images go, the repositories' settings, and how they are pushed.
type imageOptions struct {
	repository    string
	repositories  []string
	managed       bool
	settings      repoSettingFlags
	noProgressbar bool
	pushJobs      int
}

func (g *imageOptions) addFlags(fl *pflag.FlagSet) {
	fl.StringVar(&g.repository, "image-repository", "", "ECR repository for every image function")
	fl.StringArrayVar(&g.repositories, "image-repositories", nil, "ECR repository of one function, Function=URI (repeatable)")
	fl.BoolVar(&g.managed, "resolve-image-repos", false, "create (and, when deploying, remove) ECR repositories for image functions in a companion stack")
	addRepoSettingFlags(fl, &g.settings)
}

func (g *imageOptions) addLaterFlags(fl *pflag.FlagSet) {
	fl.BoolVar(&g.noProgressbar, "no-progressbar", false, "no redrawn progress lines on a terminal: one line per image when done")
	fl.IntVar(&g.pushJobs, "image-push-jobs", 8, "how many images to push, and blobs to upload, at once")
}

func (g *imageOptions) resolve(o *deploy.Options, rt *deployRuntime, io IO) error {
	o.ImageRepository, o.ResolveImageRepos, o.ImagePushJobs, o.NoProgressBar = g.repository, g.managed, g.pushJobs, g.noProgressbar
	o.Engine = registry.FindEngine(io.Getenv("DOCKER_HOST"), io.Getenv("XDG_RUNTIME_DIR"))
	var err error
	if o.ImageRepositories, err = parseImageRepos(g.repositories); err != nil {
		return err
	}
	if o.RepoSettings, err = g.settings.settings(); err != nil {
		return err
	}
	rt.RepoSettings = g.settings.params()
	if g.pushJobs < 1 {
		return fmt.Errorf("invalid --image-push-jobs %d: it must be at least 1", g.pushJobs)
	}
	if rt.RegistryEndpoint = io.Getenv("SAMSHIP_REGISTRY_ENDPOINT"); rt.RegistryEndpoint != "" {
		if _, err := registry.Redirect(http.DefaultTransport, rt.RegistryEndpoint); err != nil {
			return err
		}
	}
	return nil
}

// changeSetOptions: the change set of a deploy and how it is executed (deploy only).
type changeSetOptions struct {
	capabilities               []string
	tags                       []string
	roleARN                    string
	notificationARNs           []string
	noExecute                  bool
	confirm, noConfirm         bool
	failEmpty, noFailEmpty     bool
	disableRollback, noDisable bool
	onFailure                  string
	express, noExpress         bool
	maxWait                    int
}

func (g *changeSetOptions) addFlags(fl *pflag.FlagSet) {
	fl.StringArrayVar(&g.capabilities, "capabilities", nil, "capabilities CloudFormation needs, e.g. CAPABILITY_IAM")
	fl.StringArrayVar(&g.tags, "tags", nil, "stack tags, Key=Value (also applied to the companion stack)")
	fl.StringVar(&g.roleARN, "role-arn", "", "service role CloudFormation assumes (also for the companion stack)")
	fl.StringArrayVar(&g.notificationARNs, "notification-arns", nil, "SNS topics for stack events (also for the companion stack)")
	fl.BoolVar(&g.noExecute, "no-execute-changeset", false, "create the change set and stop")
	fl.BoolVar(&g.confirm, "confirm-changeset", false, "ask before executing the change set")
	fl.BoolVar(&g.noConfirm, "no-confirm-changeset", false, "do not ask before executing the change set")
	fl.BoolVar(&g.failEmpty, "fail-on-empty-changeset", false, "exit 1 when there is nothing to deploy (default)")
	fl.BoolVar(&g.noFailEmpty, "no-fail-on-empty-changeset", false, "exit 0 when there is nothing to deploy")
	fl.BoolVar(&g.disableRollback, "disable-rollback", false, "keep the state of resources when the deploy fails")
	fl.BoolVar(&g.noDisable, "no-disable-rollback", false, "roll back when the deploy fails (default)")
	fl.StringVar(&g.onFailure, "on-failure", "ROLLBACK", "when the deploy fails: ROLLBACK, DELETE (also delete a stack whose create failed) or DO_NOTHING (keep the failed state)")
	fl.IntVar(&g.maxWait, "max-wait-duration", 60, "minutes to wait for the stack operation to finish")
	fl.BoolVar(&g.express, "express", false, "CloudFormation Express mode: done when the configuration is applied (companion and bucket stacks too)")
	fl.BoolVar(&g.noExpress, "no-express", false, "standard CloudFormation deployment (default)")
}

// resolve reads the values; package, which has none of these flags, gets SAM CLI's defaults.
func (g *changeSetOptions) resolve(fl *pflag.FlagSet, o *deploy.Options, io IO) error {
	o.Capabilities, o.RoleARN, o.NotificationARNs = splitList(g.capabilities), g.roleARN, splitList(g.notificationARNs)
	o.NoExecuteChangeset, o.ConfirmChangeset, o.FailOnEmptyChangeset = g.noExecute, g.confirm && !g.noConfirm, !g.noFailEmpty
	o.DisableRollback = (g.disableRollback && !g.noDisable) || g.onFailure == "DO_NOTHING"
	o.OnFailure, o.MaxWait, o.Express = g.onFailure, time.Duration(g.maxWait)*time.Minute, g.express && !g.noExpress
	o.PollCap = pollCap(io.Getenv("SAM_CLI_POLL_DELAY"))
	var err error
	if o.Tags, err = parseTags("--tags", g.tags); err != nil {
		return err
	}
	return g.checkFailure(fl)
}

// checkFailure applies SAM CLI's rules to --on-failure, --disable-rollback and
// --max-wait-duration.
func (g *changeSetOptions) checkFailure(fl *pflag.FlagSet) error {
	switch g.onFailure {
	case "", "ROLLBACK", "DELETE", "DO_NOTHING":
	default:
		return fmt.Errorf("invalid --on-failure %q: want ROLLBACK, DELETE or DO_NOTHING", g.onFailure)
	}
	if fl.Changed("on-failure") && (fl.Changed("disable-rollback") || fl.Changed("no-disable-rollback")) {
		//lint:ignore ST1005 SAM CLI's own message, word for word (design.md §1)
		return errors.New("You must not provide both the --disable-rollback and --on-failure parameters.")
	}
	if fl.Lookup("max-wait-duration") != nil && g.maxWait < 1 {
		return fmt.Errorf("invalid --max-wait-duration %d: it must be at least 1 (minutes)", g.maxWait)
	}
	return nil
}

// outputOptions: how the run is shown, and where the stack's outputs are written.
type outputOptions struct {
	format, outputsFile string
}

func (g *outputOptions) addFlags(fl *pflag.FlagSet) {
	fl.StringVar(&g.format, "output", "text", "text, or json: JSON lines on standard output (as sam deploy --output json)")
}

func (g *outputOptions) addOutputsFileFlag(fl *pflag.FlagSet) {
	fl.StringVar(&g.outputsFile, "outputs-file", "", "write the deployed stack's outputs to this file, as JSON ({\"stack\": {\"Key\": \"Value\"}}, as cdk deploy)")
}

// resolve reads the format; in JSON mode it refuses what would ask a question (guided, or a
// confirmation): nobody is there to answer.
func (g *outputOptions) resolve(rt *deployRuntime, guided, confirm bool) error {
	var err error
	if rt.Output, err = output.ParseFormat(g.format); err != nil {
		return err
	}
	if rt.Output == output.FormatJSON {
		switch {
		case guided:
			return errors.New("--guided asks questions, which --output json cannot: run it once with text output to save the answers")
		case confirm:
			return errors.New("--confirm-changeset asks a question, which --output json cannot: review the change set with --no-execute-changeset instead")
		}
	}
	if rt.OutputsFile = g.outputsFile; rt.OutputsFile != "" {
		return checkOutputsFile(rt.OutputsFile)
	}
	return nil
}
