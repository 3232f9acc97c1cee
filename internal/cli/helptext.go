package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
)

// What each command's help says: its examples and its options in SAM CLI's groups, and the
// environment variables samship reads (`samship help environment`).

var deployHelp = commandHelp{
	about: "Like sam deploy, with the same options, samconfig.toml and output. With --resolve-image-repos, " +
		"the ECR repositories of the image functions are kept in a companion stack beside the application's, " +
		"created, kept and removed as functions come and go; images are pushed from a Docker or Podman engine, " +
		"an OCI layout or a docker save tarball, without Docker.",
	examples: []example{
		{"At a terminal: answer SAM CLI's questions once; the answers are saved to samconfig.toml", "samship deploy --guided"},
		{"In CI, or whenever no questions should be asked", "samship deploy --stack-name my-app --resolve-image-repos --resolve-s3 --capabilities CAPABILITY_IAM CAPABILITY_AUTO_EXPAND"},
		{"Your own repository for each function", "samship deploy --stack-name my-app --image-repositories Hello=123456789012.dkr.ecr.us-east-1.amazonaws.com/hello"},
		{"Several parameters and tags at once, in SAM's syntax", "samship deploy --parameter-overrides Stage=prod Memory=512 --tags team=web env=prod"},
		{"Look at the change set before it is executed", "samship deploy --confirm-changeset"},
		{"For a program: JSON lines on standard output, the stack's outputs in a file", "samship deploy --output json --outputs-file outputs.json"},
	},
	groups: helpGroups(
		optionGroup{title: "Required Options", names: []string{"stack-name", "capabilities", "resolve-s3"}},
		optionGroup{title: "Interactive Options", names: []string{"guided"},
			note: "Use the guided flag for a step-by-step flow instead of using the required options."},
		optionGroup{title: "AWS Credential Options", names: []string{"region", "profile"}},
		optionGroup{title: "Infrastructure Options", names: []string{"parameter-overrides", "s3-bucket", "s3-prefix", "resolve-image-repos",
			"image-repository", "image-repositories", "role-arn", "kms-key-id", "notification-arns", "tags", "metadata"}},
		optionGroup{title: "Managed Repository Options", names: []string{"image-repos-scan-on-push", "image-repos-tag-mutability",
			"image-repos-kms-key", "image-repos-lifecycle-policy", "image-repos-tags"},
			note: "Written into every repository of the companion stack (with --resolve-image-repos). A later sam deploy of the same stack rewrites the companion template without them."},
		optionGroup{title: "Deployment Options", names: []string{"no-execute-changeset", "fail-on-empty-changeset", "confirm-changeset",
			"disable-rollback", "on-failure", "force-upload", "max-wait-duration", "express"}},
		optionGroup{title: "Configuration Options", names: []string{"config-env", "config-file", "save-params"}, note: configNote},
		optionGroup{title: "Additional Options", names: []string{"output", "outputs-file", "no-progressbar", "template-file", "use-json", "image-push-jobs"}},
	),
}

var packageHelp = commandHelp{
	about: "Like sam package: what deploy does before its change set (repositories, pushes, uploads), " +
		"with the packaged template written out instead of deployed.",
	examples: []example{
		{"Push the images into managed repositories, upload the rest, write the template", "samship package --resolve-image-repos --resolve-s3 --output-template-file packaged.yaml"},
		{"Into a bucket and a repository of your own", "samship package --s3-bucket my-bucket --image-repository 123456789012.dkr.ecr.us-east-1.amazonaws.com/app"},
	},
	groups: helpGroups(
		optionGroup{title: "Required Options", names: []string{"s3-bucket", "resolve-s3"}},
		optionGroup{title: "AWS Credential Options", names: []string{"region", "profile"}},
		optionGroup{title: "Infrastructure Options", names: []string{"stack-name", "parameter-overrides", "s3-prefix", "resolve-image-repos",
			"image-repository", "image-repositories", "kms-key-id", "metadata"}},
		optionGroup{title: "Managed Repository Options", names: []string{"image-repos-scan-on-push", "image-repos-tag-mutability",
			"image-repos-kms-key", "image-repos-lifecycle-policy", "image-repos-tags"},
			note: "Written into every repository of the companion stack (with --resolve-image-repos). A later sam deploy of the same stack rewrites the companion template without them."},
		optionGroup{title: "Deployment Options", names: []string{"force-upload"}},
		optionGroup{title: "Configuration Options", names: []string{"config-env", "config-file", "save-params"}, note: configNote},
		optionGroup{title: "Additional Options", names: []string{"output", "no-progressbar", "template-file", "output-template-file", "use-json", "image-push-jobs"}},
	),
}

var deleteHelp = commandHelp{
	about: "Like sam delete: the stack, then its companion stack with every image in its repositories, " +
		"then its artifacts in S3, each after asking (unless --no-prompts).",
	examples: []example{
		{"Asked before each part goes", "samship delete --stack-name my-app"},
		{"In CI: delete everything without asking", "samship delete --stack-name my-app --no-prompts"},
	},
	groups: helpGroups(
		optionGroup{title: "Delete Options", names: []string{"stack-name", "no-prompts", "s3-bucket", "s3-prefix", "express", "output"}},
		optionGroup{title: "AWS Credential Options", names: []string{"region", "profile"}},
		optionGroup{title: "Configuration Options", names: []string{"config-file", "config-env", "save-params"}, note: stackConfigNote},
	),
}

var buildHelp = commandHelp{
	about: "Builds the image of each function whose Metadata names a Dockerfile and a DockerContext (SAM's build metadata: " +
		"DockerTag, DockerBuildArgs, DockerBuildTarget), for the function's Architectures, without Docker: the base image " +
		"comes from its registry into a cache, each COPY is a reproducible layer, pip and npm installs run on this machine " +
		"for the function's platform. Each image is written as an OCI layout in the build directory, and the built " +
		"template (.aws-sam/build/template.yaml) names it, so samship deploy needs nothing else. The same inputs give " +
		"the same image digest. A Dockerfile with an instruction samship cannot run (another RUN, HEALTHCHECK, ...) is " +
		"built by Docker or Podman when one is reachable, and the build says so.",
	examples: []example{
		{"Build every image function, then deploy", "samship build && samship deploy --resolve-image-repos"},
		{"Only one function, refreshing its base image", "samship build HelloWorldFunction --pull"},
		{"Never use an engine (CI without Docker)", "samship build --engine never"},
	},
	groups: helpGroups(
		optionGroup{title: "Build Options", names: []string{"template-file", "build-dir", "parameter-overrides", "engine", "pull", "registry-mirror"}},
		optionGroup{title: "AWS Credential Options", names: []string{"region", "profile"}},
		optionGroup{title: "Configuration Options", names: []string{"config-file", "config-env"}, note: "samship build reads the [<env>.build.parameters] section of samconfig.toml, as sam build does."},
	),
}

var syncHelp = commandHelp{
	about: "Puts new code into the image functions of a deployed stack without a CloudFormation deploy, as sam sync " +
		"--code does, and works with the repositories samship deploy manages: each function's image is built (samship " +
		"build, for functions with a Dockerfile in their Metadata) or read, compared by digest with what the function " +
		"runs, pushed to the repository the function already runs from, set with Lambda's UpdateFunctionCode by digest, " +
		"and its AutoPublishAlias moved to a new version. A function whose image did not change is not written to; " +
		"functions sharing an image get one push and their updates at once. Without --code a deploy (in Express " +
		"mode) runs first when the template changed beyond the functions' images. The stack drifts from its template until the next samship deploy, which " +
		"brings it back: sync asks first, as sam sync does.",
	examples: []example{
		{"Sync the code once", "samship sync --code --stack-name my-dev-app"},
		{"Keep syncing while you edit", "samship sync --code --watch --stack-name my-dev-app"},
		{"Deploy the template's changes first, then sync, in CI", "samship sync --stack-name my-dev-app --no-prompts"},
	},
	groups: helpGroups(
		optionGroup{title: "Sync Options", names: []string{"stack-name", "code", "watch", "no-prompts", "capabilities", "express", "output"}},
		optionGroup{title: "Build Options", names: []string{"template-file", "build-dir", "parameter-overrides", "engine", "registry-mirror"}},
		optionGroup{title: "AWS Credential Options", names: []string{"region", "profile"}},
		optionGroup{title: "Configuration Options", names: []string{"config-file", "config-env", "save-params"}, note: stackConfigNote},
	),
}

var pruneHelp = commandHelp{
	about: "Deletes the images of the stack's managed repositories that nothing can run: kept are the image of each " +
		"of the stack's functions, of each published version and alias of them (read from Lambda, by digest, so " +
		"another tag of the same image counts), and the newest of each repository. It lists every image with " +
		"its size and fate, asks, reads what is in use once more, and deletes.",
	examples: []example{
		{"See what would go", "samship prune --stack-name my-app --dry-run"},
		{"In CI, after a deploy: keep the five newest images of each repository and everything in use", "samship prune --stack-name my-app --keep 5 --no-prompts"},
	},
	groups: helpGroups(
		optionGroup{title: "Prune Options", names: []string{"stack-name", "keep", "min-age", "dry-run", "no-prompts", "output"}},
		optionGroup{title: "AWS Credential Options", names: []string{"region", "profile"}},
		optionGroup{title: "Configuration Options", names: []string{"config-file", "config-env", "save-params"}, note: stackConfigNote},
	),
}

var orphansHelp = commandHelp{
	about: "Lists the companion stacks of the region, SAM CLI's and samship's (known by their name, description and " +
		"repository tags), whose application stack no longer exists: deleted some other way than sam delete or " +
		"samship delete, or renamed. Each is shown with its repositories and how many images they hold. With " +
		"--delete, each is emptied and deleted after asking.",
	examples: []example{
		{"What was left behind in a region", "samship orphans --region eu-west-1"},
		{"Delete all of them without asking", "samship orphans --delete --no-prompts"},
	},
	groups: helpGroups(
		optionGroup{title: "Orphans Options", names: []string{"delete", "no-prompts", "min-age", "output"}},
		optionGroup{title: "AWS Credential Options", names: []string{"region", "profile"}},
		optionGroup{title: "Configuration Options", names: []string{"config-file", "config-env", "save-params"}, note: stackConfigNote},
	),
}

// environment is what samship reads from the environment, for `samship help environment`.
var environment = []struct{ name, what string }{
	{"AWS_PROFILE", "the profile of the shared config files (--profile wins)"},
	{"AWS_REGION, AWS_DEFAULT_REGION", "the region (--region and samconfig win)"},
	{"AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN", "credentials, before the shared files"},
	{"AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE", "where the shared config and credentials files are"},
	{"AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_<SERVICE>", "send AWS calls elsewhere (a local emulator)"},
	{"AWS_CA_BUNDLE", "certificates to trust for AWS's endpoints"},
	{"AWS_EC2_METADATA_DISABLED", "true: never ask the instance metadata service for credentials"},
	{"SAMSHIP_REGISTRY_ENDPOINT", "send ECR registry traffic (image pushes) to this URL, e.g. a local registry; AWS calls are unchanged"},
	{"DOCKER_HOST", "the Docker or Podman engine images are read from, and samship build's fallback builds with (unix:// or tcp://); default: Docker's socket, then Podman's"},
	{"XDG_CACHE_HOME", "where samship/layers remembers what engine images' layers were pushed as, and samship build keeps base images (samship/base) and layers (samship/build) (default ~/.cache); keep it between CI runs"},
	{"SAMSHIP_REGISTRY_MIRRORS", "samship build's --registry-mirror values, comma-separated: REGISTRY=MIRROR,..."},
	{"SOURCE_DATE_EPOCH", "the time samship build gives every file and image configuration (default 1970-01-01)"},
	{"TMPDIR", "where a run keeps its temporary files (compressed layers on their way), removed when it ends"},
	{"SAM_CLI_POLL_DELAY", "seconds between CloudFormation status polls at most (default 5): samship polls every 0.5 s, or this when shorter"},
	{"SAM_TEMPLATE_FILE", "the template when --template-file is not given"},
	{"SAM_DEBUG", "any value: as --debug"},
	{"NO_COLOR", "any value: no colour"},
	{"TERM", "dumb: no colour"},
}

func newEnvironmentTopic() *cobra.Command {
	var b strings.Builder
	b.WriteString("Environment variables samship reads. Options on the command line, then samconfig.toml, win over them.\n\n")
	for _, e := range environment {
		fmt.Fprintf(&b, "  %s\n      %s\n", e.name, e.what)
	}
	return &cobra.Command{Use: "environment", Short: "Environment variables samship reads", Long: strings.TrimRight(b.String(), "\n")}
}
