package cli

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/samship/samship/internal/awsclient"
	"github.com/samship/samship/internal/deploy"
	"github.com/samship/samship/internal/guided"
	"github.com/samship/samship/internal/output"
	"github.com/samship/samship/internal/registry"
	"github.com/samship/samship/internal/samconfig"
)

// deployFlags are the raw values of `samship deploy`'s flags.
type deployFlags struct {
	unsupported                unsupportedValues
	guided                     bool
	templateFile               string
	stackName, region, profile string
	s3Bucket, s3Prefix         string
	resolveS3, noResolveS3     bool
	kmsKeyID                   string
	imageRepository            string
	imageRepositories          []string
	resolveImageRepos          bool
	capabilities               []string
	parameterOverrides         []string
	tags                       []string
	roleARN                    string
	notificationARNs           []string
	noExecuteChangeset         bool
	confirm, noConfirm         bool
	failEmpty, noFailEmpty     bool
	disableRollback, noDisable bool
	onFailure                  string
	express, noExpress         bool
	maxWait                    int
	forceUpload                bool
	useJSON, noProgressbar     bool
	metadata                   string
	imagePushJobs              int
	configFile, configEnv      string
	saveParams                 bool
	debug                      bool
	output, outputsFile        string
	repos                      repoSettingFlags
}

// newDeployCmd builds `samship deploy`.
func newDeployCmd(io IO, runF func(context.Context, *deploy.Options, deployRuntime) error) *cobra.Command {
	f := &deployFlags{}
	cmd := &cobra.Command{
		Use:   "deploy",
		Short: "Deploy an AWS SAM application, creating ECR repositories for its image functions",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts, rt, err := f.resolve(cmd.Flags(), io, "deploy")
			if err != nil {
				return err
			}
			return runF(cmd.Context(), opts, rt)
		},
	}
	fl := cmd.Flags()
	addArtifactFlags(fl, f)
	fl.BoolVarP(&f.guided, "guided", "g", false, "ask for the parameters (SAM CLI's questions) and save them to samconfig")
	fl.StringArrayVar(&f.capabilities, "capabilities", nil, "capabilities CloudFormation needs, e.g. CAPABILITY_IAM")
	fl.StringArrayVar(&f.tags, "tags", nil, "stack tags, Key=Value (also applied to the companion stack)")
	fl.StringVar(&f.roleARN, "role-arn", "", "service role CloudFormation assumes (also for the companion stack)")
	fl.StringArrayVar(&f.notificationARNs, "notification-arns", nil, "SNS topics for stack events (also for the companion stack)")
	fl.BoolVar(&f.noExecuteChangeset, "no-execute-changeset", false, "create the change set and stop")
	fl.BoolVar(&f.confirm, "confirm-changeset", false, "ask before executing the change set")
	fl.BoolVar(&f.noConfirm, "no-confirm-changeset", false, "do not ask before executing the change set")
	fl.BoolVar(&f.failEmpty, "fail-on-empty-changeset", false, "exit 1 when there is nothing to deploy (default)")
	fl.BoolVar(&f.noFailEmpty, "no-fail-on-empty-changeset", false, "exit 0 when there is nothing to deploy")
	fl.BoolVar(&f.disableRollback, "disable-rollback", false, "keep the state of resources when the deploy fails")
	fl.BoolVar(&f.noDisable, "no-disable-rollback", false, "roll back when the deploy fails (default)")
	fl.StringVar(&f.onFailure, "on-failure", "ROLLBACK", "when the deploy fails: ROLLBACK, DELETE (also delete a stack whose create failed) or DO_NOTHING (keep the failed state)")
	fl.IntVar(&f.maxWait, "max-wait-duration", 60, "minutes to wait for the stack operation to finish")
	fl.BoolVar(&f.express, "express", false, "CloudFormation Express mode: done when the configuration is applied (companion and bucket stacks too)")
	fl.BoolVar(&f.noExpress, "no-express", false, "standard CloudFormation deployment (default)")
	fl.StringVar(&f.outputsFile, "outputs-file", "", "write the deployed stack's outputs to this file, as JSON ({\"stack\": {\"Key\": \"Value\"}}, as cdk deploy)")
	setHelp(cmd, io.helpWidth, deployHelp)
	return cmd
}

// addArtifactFlags adds the flags deploy and package share: the template, the stack, AWS,
// where artifacts and images go, samconfig and debugging.
func addArtifactFlags(fl *pflag.FlagSet, f *deployFlags) {
	fl.SetNormalizeFunc(func(_ *pflag.FlagSet, name string) pflag.NormalizedName {
		if name == "template" {
			name = "template-file"
		}
		return pflag.NormalizedName(name)
	})
	fl.StringVarP(&f.templateFile, "template-file", "t", "", "template (default: .aws-sam/build/template.yaml, template.yaml, template.yml or template.json); also --template")
	fl.StringVar(&f.stackName, "stack-name", "", "CloudFormation stack")
	fl.StringVar(&f.region, "region", "", "AWS region")
	fl.StringVar(&f.profile, "profile", "", "AWS profile from the shared config files")
	fl.StringVar(&f.s3Bucket, "s3-bucket", "", "bucket for local artifacts, nested templates and templates larger than 51,200 bytes")
	fl.StringVar(&f.s3Prefix, "s3-prefix", "", "prefix of the objects samship puts in the bucket")
	fl.BoolVar(&f.resolveS3, "resolve-s3", false, "use (and create if needed) the managed bucket stack aws-sam-cli-managed-default")
	fl.BoolVar(&f.noResolveS3, "no-resolve-s3", false, "do not use the managed bucket")
	fl.StringVar(&f.kmsKeyID, "kms-key-id", "", "KMS key for objects put in the bucket")
	fl.StringVar(&f.imageRepository, "image-repository", "", "ECR repository for every image function")
	fl.StringArrayVar(&f.imageRepositories, "image-repositories", nil, "ECR repository of one function, Function=URI (repeatable)")
	fl.BoolVar(&f.resolveImageRepos, "resolve-image-repos", false, "create (and, when deploying, remove) ECR repositories for image functions in a companion stack")
	addRepoSettingFlags(fl, &f.repos)
	fl.StringArrayVar(&f.parameterOverrides, "parameter-overrides", nil, "template parameters, Key=Value")
	fl.BoolVar(&f.forceUpload, "force-upload", false, "upload artifacts and templates even when the bucket has them")
	fl.StringVar(&f.metadata, "metadata", "", "S3 object metadata for uploads, KeyName1=string,KeyName2=string or a JSON object")
	fl.BoolVar(&f.useJSON, "use-json", false, "write the packaged template as JSON (indented by four spaces)")
	fl.BoolVar(&f.noProgressbar, "no-progressbar", false, "no redrawn progress lines on a terminal: one line per image when done")
	fl.IntVar(&f.imagePushJobs, "image-push-jobs", 8, "how many images to push, and blobs to upload, at once")
	fl.StringVar(&f.configFile, "config-file", samconfig.DefaultName, "samconfig file")
	fl.StringVar(&f.configEnv, "config-env", "default", "samconfig environment")
	fl.BoolVar(&f.saveParams, "save-params", false, "save the options given on the command line to the samconfig file")
	fl.BoolVar(&f.debug, "debug", false, "print every AWS call and registry request")
	fl.StringVar(&f.output, "output", "text", "text, or json: JSON lines on standard output (as sam deploy --output json)")
	addUnsupportedFlags(fl, &f.unsupported)
}

// deployRuntime is what resolving the flags found besides the deploy options.
type deployRuntime struct {
	Region, Profile string
	Debug           bool
	Guided          bool
	// RegistryEndpoint is SAMSHIP_REGISTRY_ENDPOINT: where ECR registry traffic goes.
	RegistryEndpoint string
	// ConfigFile and ConfigEnv name the samconfig file and environment; ConfigFound says the
	// file existed and was read; ConfigDir is where a relative file name lives.
	ConfigFile, ConfigEnv, ConfigDir string
	ConfigFound                      bool
	// Save reports --save-params; SaveParams is what it writes into the command's section
	// (the region goes into the global section).
	Save       bool
	SaveParams []samconfig.Param
	// RepoSettings are the repository settings given, as samconfig parameters: a guided
	// deploy saves them with its answers.
	RepoSettings []samconfig.Param
	// Output is --output; OutputsFile is --outputs-file.
	Output      output.Format
	OutputsFile string
}

// resolve merges flags over samconfig over defaults and parses every value.
func (f *deployFlags) resolve(fl *pflag.FlagSet, io IO, command string) (*deploy.Options, deployRuntime, error) {
	rt := deployRuntime{Guided: f.guided, ConfigFile: f.configFile, ConfigEnv: f.configEnv, ConfigDir: "."}
	if fl.Changed("template-file") {
		rt.ConfigDir = filepath.Dir(f.templateFile)
	}
	// Guided mode shows and saves exactly --config-file, as SAM CLI does; a missing file is
	// fine there, since guided creates it.
	cfgPath, err := samconfig.Find(rt.ConfigDir, f.configFile, fl.Changed("config-file") && !f.guided)
	if err != nil {
		return nil, rt, err
	}
	if f.guided && fl.Changed("config-file") {
		cfgPath = ""
		if p := filepath.Join(rt.ConfigDir, f.configFile); fileExists(p) {
			cfgPath = p
		}
	}
	if cfgPath != "" && !fl.Changed("config-file") {
		// Guided shows and saves the file it read: samconfig.yaml when that is the one found
		// (SAM CLI would name samconfig.toml here and write a second file).
		rt.ConfigFile = filepath.Base(cfgPath)
	}
	imageReposFrom := ""
	// sectionOf names the samconfig section a key was read from, for refusals.
	sectionOf := func(string) string { return "" }
	if cfgPath != "" {
		rt.ConfigFound = true
		cfg, err := samconfig.Load(cfgPath)
		if err != nil {
			return nil, rt, err
		}
		if err := applyConfig(fl, cfg.Params(f.configEnv, command), cfgPath, f.configEnv+"."+command); err != nil {
			return nil, rt, err
		}
		sectionOf = func(key string) string {
			section := "global"
			if _, own := cfg.Section(f.configEnv, command)[key]; own {
				section = command
			}
			return fmt.Sprintf("%s: [%s.%s.parameters]", cfgPath, f.configEnv, section)
		}
		if !fl.Changed("image-repositories") && len(f.imageRepositories) > 0 {
			imageReposFrom = fmt.Sprintf("%s [%s.%s.parameters]", filepath.Base(cfgPath), f.configEnv, command)
		}
	}
	if err := f.unsupported.check(fl, sectionOf); err != nil {
		return nil, rt, err
	}
	o := &deploy.Options{
		TemplateFile: f.templateFile, StackName: f.stackName, ImageReposFrom: imageReposFrom, S3Bucket: f.s3Bucket, S3Prefix: f.s3Prefix,
		ResolveS3: f.resolveS3 && !f.noResolveS3, KMSKeyID: f.kmsKeyID, ImageRepository: f.imageRepository,
		ResolveImageRepos: f.resolveImageRepos, Capabilities: splitList(f.capabilities), RoleARN: f.roleARN,
		NotificationARNs: splitList(f.notificationARNs), NoExecuteChangeset: f.noExecuteChangeset,
		ConfirmChangeset: f.confirm && !f.noConfirm, FailOnEmptyChangeset: !f.noFailEmpty,
		DisableRollback: (f.disableRollback && !f.noDisable) || f.onFailure == "DO_NOTHING", OnFailure: f.onFailure,
		MaxWait: time.Duration(f.maxWait) * time.Minute, Express: f.express && !f.noExpress, ForceUpload: f.forceUpload, ImagePushJobs: f.imagePushJobs,
		UseJSON: f.useJSON, NoProgressBar: f.noProgressbar,
		PollCap: pollCap(io.Getenv("SAM_CLI_POLL_DELAY")),
		Engine:  registry.FindEngine(io.Getenv("DOCKER_HOST"), io.Getenv("XDG_RUNTIME_DIR")),
	}
	if o.TemplateFile == "" {
		if o.TemplateFile = defaultTemplate(io.Getenv("SAM_TEMPLATE_FILE")); o.TemplateFile == "" {
			return nil, rt, fmt.Errorf("no template: looked for %s in %s; pass --template-file", strings.Join(templateNames, ", "), cwd())
		}
	}
	if o.ImageRepositories, err = parseImageRepos(f.imageRepositories); err != nil {
		return nil, rt, deploy.Usage(err)
	}
	if o.ParameterOverrides, err = parseOverrides(f.parameterOverrides); err != nil {
		return nil, rt, deploy.Usage(err)
	}
	if o.Tags, err = parseTags("--tags", f.tags); err != nil {
		return nil, rt, deploy.Usage(err)
	}
	if o.Metadata, err = parseMetadata(f.metadata); err != nil {
		return nil, rt, deploy.Usage(err)
	}
	if o.RepoSettings, err = f.repos.settings(); err != nil {
		return nil, rt, deploy.Usage(err)
	}
	rt.RepoSettings = f.repos.params()
	if f.imagePushJobs < 1 {
		return nil, rt, deploy.Usage(fmt.Errorf("invalid --image-push-jobs %d: it must be at least 1", f.imagePushJobs))
	}
	if err := checkFailureFlags(fl, f); err != nil {
		return nil, rt, deploy.Usage(err)
	}
	if rt.Output, err = output.ParseFormat(f.output); err != nil {
		return nil, rt, deploy.Usage(err)
	}
	if err := checkQuestions(rt.Output, f); err != nil {
		return nil, rt, deploy.Usage(err)
	}
	if rt.OutputsFile = f.outputsFile; rt.OutputsFile != "" {
		if err := checkOutputsFile(rt.OutputsFile); err != nil {
			return nil, rt, deploy.Usage(err)
		}
	}
	rt.RegistryEndpoint = io.Getenv("SAMSHIP_REGISTRY_ENDPOINT")
	if rt.RegistryEndpoint != "" {
		if _, err := registry.Redirect(http.DefaultTransport, rt.RegistryEndpoint); err != nil {
			return nil, rt, deploy.Usage(err)
		}
	}
	if f.saveParams && !f.guided {
		rt.Save, rt.SaveParams = true, commandLineParams(fl)
	}
	rt.Region, rt.Profile = f.region, f.profile
	rt.Debug = f.debug || io.Getenv("SAM_DEBUG") != ""
	return o, rt, nil
}

func fileExists(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && !fi.IsDir()
}

// templateNames are the files SAM CLI looks for, in order, when no template is given.
var templateNames = []string{filepath.Join(".aws-sam", "build", "template.yaml"), "template.yaml", "template.yml", "template.json"}

// defaultTemplate is SAM CLI's template lookup: SAM_TEMPLATE_FILE, else the first of
// templateNames that exists, else "".
func defaultTemplate(env string) string {
	if env != "" {
		return env
	}
	for _, p := range templateNames {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

func cwd() string {
	if d, err := os.Getwd(); err == nil {
		return d
	}
	return "."
}

// pollCap reads SAM_CLI_POLL_DELAY (seconds); invalid or non-positive values mean 5 s.
func pollCap(v string) time.Duration {
	if s, err := strconv.ParseFloat(v, 64); err == nil && s > 0 {
		return time.Duration(s * float64(time.Second))
	}
	return 5 * time.Second
}

// checkQuestions refuses, in JSON mode, what would ask a question: nobody is there to answer.
func checkQuestions(format output.Format, f *deployFlags) error {
	if format != output.FormatJSON {
		return nil
	}
	switch {
	case f.guided:
		return errors.New("--guided asks questions, which --output json cannot: run it once with text output to save the answers")
	case f.confirm && !f.noConfirm:
		return errors.New("--confirm-changeset asks a question, which --output json cannot: review the change set with --no-execute-changeset instead")
	}
	return nil
}

// runDeploy validates the input, builds the AWS clients and runs the deploy, or the guided
// flow with --guided.
func runDeploy(ctx context.Context, o *deploy.Options, rt deployRuntime, io IO) error {
	c := newConnection(o, rt, io)
	defer c.report()
	if rt.Guided {
		flow := &guided.Flow{Prompt: c.prompt, UI: c.ui, Connect: c.connect,
			DefaultRegion: awsclient.DefaultRegion(ctx, rt.Profile)}
		return flow.Run(ctx, guided.Defaults{Options: *o, Region: rt.Region, Profile: rt.Profile,
			ConfigFile: rt.ConfigFile, ConfigEnv: rt.ConfigEnv, ConfigFound: rt.ConfigFound, Dir: rt.ConfigDir, Save: rt.RepoSettings})
	}
	in, env, err := c.prepare(ctx)
	if err != nil {
		return err
	}
	rt.SaveParams = withoutNoEcho(rt.SaveParams, in.Template, c.ui)
	if err := saveParams(rt, c.ui, "deploy"); err != nil {
		return err
	}
	res, err := deploy.Run(ctx, in, env)
	if err == nil && rt.OutputsFile != "" && (res.Executed || res.NoChanges) {
		err = writeOutputsFile(rt.OutputsFile, res)
	}
	return c.deployResult(res, err)
}
