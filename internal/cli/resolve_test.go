package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/samship/samship/internal/deploy"
	"github.com/samship/samship/internal/orphans"
	"github.com/samship/samship/internal/prune"
)

// resolved is what a command line resolved to: the options its runner was given, rendered as
// key=value for the fields a case names.
type resolved map[string]string

func describe(o *deploy.Options, rt deployRuntime) resolved {
	kvs := func(in []deploy.KV) string {
		var out []string
		for _, kv := range in {
			out = append(out, kv.Key+"="+kv.Value)
		}
		return strings.Join(out, " ")
	}
	repos := func(m map[string]string) string {
		var out []string
		for k, v := range m {
			out = append(out, k+"="+v)
		}
		sort.Strings(out)
		return strings.Join(out, " ")
	}
	var saved []string
	for _, p := range rt.SaveParams {
		saved = append(saved, fmt.Sprintf("%s=%v", p.Key, p.Value))
	}
	return resolved{
		"stack": o.StackName, "template": o.TemplateFile, "region": rt.Region, "profile": rt.Profile,
		"s3_bucket": o.S3Bucket, "s3_prefix": o.S3Prefix, "resolve_s3": fmt.Sprint(o.ResolveS3),
		"confirm": fmt.Sprint(o.ConfirmChangeset), "fail_empty": fmt.Sprint(o.FailOnEmptyChangeset),
		"disable_rollback": fmt.Sprint(o.DisableRollback), "on_failure": o.OnFailure,
		"capabilities": strings.Join(o.Capabilities, " "), "overrides": kvs(o.ParameterOverrides),
		"tags": kvs(o.Tags), "image_repos": repos(o.ImageRepositories), "image_repo": o.ImageRepository, "image_repos_from": o.ImageReposFrom,
		"resolve_image_repos": fmt.Sprint(o.ResolveImageRepos), "push_jobs": fmt.Sprint(o.ImagePushJobs),
		"poll": o.PollCap.String(), "max_wait": o.MaxWait.String(), "express": fmt.Sprint(o.Express),
		"config_file": rt.ConfigFile, "config_env": rt.ConfigEnv, "config_found": fmt.Sprint(rt.ConfigFound),
		"config_dir": rt.ConfigDir, "save": strings.Join(saved, " "), "debug": fmt.Sprint(rt.Debug),
		"guided": fmt.Sprint(rt.Guided), "package_only": fmt.Sprint(o.PackageOnly),
	}
}

// resolveCase runs one command line in a directory holding files, with env, over runners that
// record what they were given instead of reaching AWS.
type resolveCase struct {
	args  []string
	files map[string]string
	env   map[string]string
	// want names the resolved fields to check; wantErr, the start of the one-line error (and
	// wantCode its exit code) when resolution must refuse.
	want     resolved
	wantErr  string
	wantCode int
}

const tomlHead = "version = 0.1\n"

func (tc resolveCase) run(t *testing.T) (resolved, string, int) {
	t.Helper()
	dir := t.TempDir()
	if tc.files == nil {
		tc.files = map[string]string{"template.yaml": "Resources: {}\n"}
	}
	for name, body := range tc.files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(dir)
	var got resolved
	record := func(o *deploy.Options, rt deployRuntime) error {
		got = describe(o, rt)
		return nil
	}
	r := runners{
		deploy: func(_ context.Context, o *deploy.Options, rt deployRuntime) error { return record(o, rt) },
		pack: func(_ context.Context, o *deploy.Options, rt deployRuntime, output string) error {
			err := record(o, rt)
			got["output"] = output
			return err
		},
		delete: func(_ context.Context, d *deleteRequest, rt deployRuntime) error {
			got = resolved{"stack": d.stackName, "bucket": d.bucket, "prefix": d.prefix, "no_prompts": fmt.Sprint(d.noPrompts),
				"express": fmt.Sprint(d.express), "region": rt.Region, "profile": rt.Profile, "poll": d.pollCap.String(),
				"config_file": rt.ConfigFile}
			return nil
		},
		prune: func(_ context.Context, in prune.Input, rt deployRuntime) error {
			got = resolved{"stack": in.StackName, "keep": fmt.Sprint(in.Keep), "dry_run": fmt.Sprint(in.DryRun),
				"no_prompts": fmt.Sprint(in.NoPrompts), "region": rt.Region, "profile": rt.Profile}
			return nil
		},
		orphans: func(_ context.Context, in orphans.Input, rt deployRuntime) error {
			got = resolved{"delete": fmt.Sprint(in.Delete), "no_prompts": fmt.Sprint(in.NoPrompts), "min_age": in.MinAge.String(), "region": rt.Region}
			return nil
		},
	}
	var stderr strings.Builder
	io := IO{In: strings.NewReader(""), Out: &strings.Builder{}, Err: &stderr, Width: 100,
		Getenv: func(k string) string { return tc.env[k] }}
	code := run(context.Background(), tc.args, io, r)
	return got, strings.TrimSpace(stderr.String()), code
}

func runResolveCases(t *testing.T, cases map[string]resolveCase) {
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, stderr, code := tc.run(t)
			if tc.wantErr != "" {
				if code != tc.wantCode || !strings.HasPrefix(stderr, "Error: "+tc.wantErr) || strings.Contains(stderr, "\n") || got != nil {
					t.Errorf("exit %d, stderr %q, ran with %v; want exit %d, %q and nothing run", code, stderr, got, tc.wantCode, "Error: "+tc.wantErr)
				}
				return
			}
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			picked := resolved{}
			for k := range tc.want {
				v, ok := got[k]
				if !ok {
					t.Fatalf("no field %q in %v", k, got)
				}
				picked[k] = v
			}
			if diff := cmp.Diff(tc.want, picked); diff != "" {
				t.Errorf("resolved (-want +got):\n%s", diff)
			}
		})
	}
}

// TestDeployResolution: flags over the samconfig environment's section over its global
// section over SAM CLI's defaults, and the environment variables SAM CLI reads.
func TestDeployResolution(t *testing.T) {
	runResolveCases(t, map[string]resolveCase{
		"defaults": {args: []string{"deploy", "--stack-name", "s"}, want: resolved{
			"stack": "s", "template": "template.yaml", "region": "", "resolve_s3": "false", "confirm": "false",
			"fail_empty": "true", "disable_rollback": "false", "on_failure": "ROLLBACK", "push_jobs": "8",
			"poll": "5s", "max_wait": "1h0m0s", "express": "false", "config_file": "samconfig.toml",
			"config_env": "default", "config_found": "false", "config_dir": ".", "save": "", "debug": "false"}},
		"built template first": {args: []string{"deploy"}, files: map[string]string{
			"template.yaml": "Resources: {}\n", ".aws-sam/build/template.yaml": "Resources: {}\n"},
			want: resolved{"template": ".aws-sam/build/template.yaml"}},
		// SAM CLI's switch for expanding Fn::ForEach locally: samship always does, so it is
		// accepted on the command line and in samconfig, and changes nothing.
		"language extensions": {args: []string{"deploy", "--language-extensions", "--stack-name", "s"}, want: resolved{"stack": "s"}},
		"no language extensions in samconfig": {args: []string{"deploy", "--stack-name", "s"}, files: map[string]string{"template.yaml": "", "samconfig.toml": tomlHead +
			"[default.deploy.parameters]\nlanguage_extensions = false\n"}, want: resolved{"stack": "s", "config_found": "true"}},
		"SAM_TEMPLATE_FILE": {args: []string{"deploy"}, env: map[string]string{"SAM_TEMPLATE_FILE": "other.yaml"},
			want: resolved{"template": "other.yaml"}},
		"samconfig deploy section": {args: []string{"deploy"}, files: map[string]string{"template.yaml": "", "samconfig.toml": tomlHead +
			"[default.deploy.parameters]\nstack_name = \"cfg\"\nregion = \"eu-west-1\"\ncapabilities = \"CAPABILITY_IAM CAPABILITY_AUTO_EXPAND\"\n" +
			"parameter_overrides = \"A=1 B=\\\"two words\\\"\"\nimage_repositories = [\"Fn=123456789012.dkr.ecr.eu-west-1.amazonaws.com/r\"]\n"},
			want: resolved{"stack": "cfg", "region": "eu-west-1", "capabilities": "CAPABILITY_IAM CAPABILITY_AUTO_EXPAND",
				"overrides": "A=1 B=two words", "image_repos": "Fn=123456789012.dkr.ecr.eu-west-1.amazonaws.com/r", "config_found": "true",
				"image_repos_from": "samconfig.toml [default.deploy.parameters]"}},
		"flag over samconfig": {args: []string{"deploy", "--stack-name", "flag", "--region", "us-west-2"},
			files: map[string]string{"template.yaml": "", "samconfig.toml": tomlHead + "[default.deploy.parameters]\nstack_name = \"cfg\"\nregion = \"eu-west-1\"\n"},
			want:  resolved{"stack": "flag", "region": "us-west-2"}},
		"section over global": {args: []string{"deploy"}, files: map[string]string{"template.yaml": "", "samconfig.toml": tomlHead +
			"[default.global.parameters]\nregion = \"global\"\nstack_name = \"from-global\"\n[default.deploy.parameters]\nregion = \"section\"\n"},
			want: resolved{"stack": "from-global", "region": "section"}},
		"config env": {args: []string{"deploy", "--config-env", "prod"}, files: map[string]string{"template.yaml": "", "samconfig.toml": tomlHead +
			"[default.deploy.parameters]\nstack_name = \"dev\"\n[prod.deploy.parameters]\nstack_name = \"prod\"\n"},
			want: resolved{"stack": "prod", "config_env": "prod"}},
		"samconfig false sets the no- flag": {args: []string{"deploy"}, files: map[string]string{"template.yaml": "", "samconfig.toml": tomlHead +
			"[default.deploy.parameters]\nfail_on_empty_changeset = false\nconfirm_changeset = true\n"},
			want: resolved{"fail_empty": "false", "confirm": "true"}},
		"no- flag over samconfig": {args: []string{"deploy", "--no-confirm-changeset", "--no-resolve-s3"}, files: map[string]string{"template.yaml": "", "samconfig.toml": tomlHead +
			"[default.deploy.parameters]\nconfirm_changeset = true\nresolve_s3 = true\n"},
			want: resolved{"confirm": "false", "resolve_s3": "false"}},
		"samconfig.yaml": {args: []string{"deploy"}, files: map[string]string{"template.yaml": "", "samconfig.yaml": "version: 0.1\ndefault:\n  deploy:\n    parameters:\n      stack_name: from-yaml\n"},
			want: resolved{"stack": "from-yaml", "config_file": "samconfig.yaml"}},
		"template directory holds samconfig": {args: []string{"deploy", "--template-file", "app/template.yaml"},
			files: map[string]string{"app/template.yaml": "", "app/samconfig.toml": tomlHead + "[default.deploy.parameters]\nstack_name = \"beside-template\"\n"},
			want:  resolved{"stack": "beside-template", "config_dir": "app"}},
		"on-failure DO_NOTHING": {args: []string{"deploy", "--on-failure", "DO_NOTHING"}, want: resolved{"disable_rollback": "true", "on_failure": "DO_NOTHING"}},
		"poll delay":            {args: []string{"deploy"}, env: map[string]string{"SAM_CLI_POLL_DELAY": "0.5"}, want: resolved{"poll": "500ms"}},
		"bad poll delay":        {args: []string{"deploy"}, env: map[string]string{"SAM_CLI_POLL_DELAY": "-1"}, want: resolved{"poll": "5s"}},
		"SAM_DEBUG":             {args: []string{"deploy"}, env: map[string]string{"SAM_DEBUG": "1"}, want: resolved{"debug": "true"}},
		"multi-value flags": {args: []string{"deploy", "--capabilities", "CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "--tags", "a=1", "b=2"},
			want: resolved{"capabilities": "CAPABILITY_IAM CAPABILITY_NAMED_IAM", "tags": "a=1 b=2"}},
		"image repositories from the command line": {args: []string{"deploy", "--image-repositories", "Fn=123456789012.dkr.ecr.us-east-1.amazonaws.com/r"},
			files: map[string]string{"template.yaml": "", "samconfig.toml": tomlHead + "[default.deploy.parameters]\nimage_repositories = [\"Old=x\"]\n"},
			want:  resolved{"image_repos": "Fn=123456789012.dkr.ecr.us-east-1.amazonaws.com/r", "image_repos_from": ""}},
		"save params": {args: []string{"deploy", "--stack-name", "s", "--no-confirm-changeset", "--save-params"},
			want: resolved{"save": "stack_name=s confirm_changeset=false"}},
		"guided": {args: []string{"deploy", "--guided"}, want: resolved{"guided": "true", "save": ""}},
	})
}

// TestDeployRefusals: every input resolution refuses gets one line naming it, SAM CLI's exit
// code, and nothing run.
func TestDeployRefusals(t *testing.T) {
	runResolveCases(t, map[string]resolveCase{
		"push jobs":       {args: []string{"deploy", "--image-push-jobs", "0"}, wantCode: 2, wantErr: "invalid --image-push-jobs 0: it must be at least 1"},
		"tag":             {args: []string{"deploy", "--tags", "novalue"}, wantCode: 2, wantErr: `invalid --tags "novalue": it must look something like 'KeyName1=string KeyName2=string'`},
		"override":        {args: []string{"deploy", "--parameter-overrides", "A"}, wantCode: 2, wantErr: `invalid --parameter-overrides "A": It must look something like 'ParameterKey=KeyPairName,ParameterValue=MyKey ParameterKey=InstanceType,ParameterValue=t1.micro' or 'KeyPairName=MyKey InstanceType=t1.micro', or 'file://MyParams.yaml'`},
		"on failure":      {args: []string{"deploy", "--on-failure", "KEEP"}, wantCode: 2, wantErr: `invalid --on-failure "KEEP": want ROLLBACK, DELETE or DO_NOTHING`},
		"both rollbacks":  {args: []string{"deploy", "--on-failure", "DELETE", "--disable-rollback"}, wantCode: 2, wantErr: "You must not provide both the --disable-rollback and --on-failure parameters."},
		"max wait":        {args: []string{"deploy", "--max-wait-duration", "0"}, wantCode: 2, wantErr: "invalid --max-wait-duration 0: it must be at least 1 (minutes)"},
		"unknown flag":    {args: []string{"deploy", "--stack", "s"}, wantCode: 2, wantErr: "unknown flag: --stack"},
		"registry":        {args: []string{"deploy"}, env: map[string]string{"SAMSHIP_REGISTRY_ENDPOINT": "ftp://x"}, wantCode: 2, wantErr: `invalid SAMSHIP_REGISTRY_ENDPOINT "ftp://x": want http://host:port or https://host:port`},
		"no template":     {args: []string{"deploy"}, files: map[string]string{"other.yaml": ""}, wantCode: 1, wantErr: "no template: looked for .aws-sam/build/template.yaml, template.yaml, template.yml, template.json in "},
		"missing config":  {args: []string{"deploy", "--config-file", "nope.toml"}, wantCode: 1, wantErr: "Config file nope.toml does not exist or could not be read!"},
		"samconfig value": {args: []string{"deploy"}, files: map[string]string{"template.yaml": "", "samconfig.toml": tomlHead + "[default.deploy.parameters]\nconfirm_changeset = \"maybe\"\n"}, wantCode: 1, wantErr: "samconfig.toml: [default.deploy.parameters] confirm_changeset: want true or false, found maybe"},
		// SAM CLI's options samship does not implement are refused, never ignored.
		"signing profiles": {args: []string{"deploy", "--signing-profiles", "Fn=Profile", "Layer=Other"}, wantCode: 2, wantErr: "--signing-profiles: samship does not sign code (AWS Signer) yet: deploy with sam deploy to sign it, or remove the option"},
		"beta features":    {args: []string{"deploy", "--beta-features"}, wantCode: 2, wantErr: "--beta-features: samship has no beta features: remove the option (or set it to false)"},
		"signing in samconfig": {args: []string{"deploy"}, files: map[string]string{"template.yaml": "", "samconfig.toml": tomlHead + "[default.deploy.parameters]\nsigning_profiles = \"Fn=Profile\"\n"}, wantCode: 1,
			wantErr: "samconfig.toml: [default.deploy.parameters] signing_profiles: samship does not sign code (AWS Signer) yet"},
		"beta features in global": {args: []string{"deploy"}, files: map[string]string{"template.yaml": "", "samconfig.toml": tomlHead + "[default.global.parameters]\nbeta_features = true\n"}, wantCode: 1,
			wantErr: "samconfig.toml: [default.global.parameters] beta_features: samship has no beta features"},
	})
}

// TestPackageAndDeleteResolution: package names its companion stack after the template as SAM
// CLI does; delete reads the deploy section, and the delete section --save-params wrote over it.
func TestPackageAndDeleteResolution(t *testing.T) {
	runResolveCases(t, map[string]resolveCase{
		"package": {args: []string{"package", "--output-template-file", "out.yaml"},
			want: resolved{"stack": "sam-app-template", "package_only": "true", "output": "out.yaml"}},
		"package section": {args: []string{"package"}, files: map[string]string{"template.yaml": "", "samconfig.toml": tomlHead +
			"[default.package.parameters]\ns3_bucket = \"pkg\"\n[default.deploy.parameters]\ns3_bucket = \"dep\"\n"},
			want: resolved{"s3_bucket": "pkg"}},
		"delete": {args: []string{"delete", "--no-prompts"}, files: map[string]string{"samconfig.toml": tomlHead +
			"[default.deploy.parameters]\nstack_name = \"dep\"\nregion = \"eu-west-1\"\n[default.delete.parameters]\nstack_name = \"del\"\n"},
			want: resolved{"stack": "del", "region": "eu-west-1", "no_prompts": "true", "config_file": "samconfig.toml"}},
		"delete flags": {args: []string{"delete", "--stack-name", "s", "--express", "--s3-bucket", "b", "--s3-prefix", "p"},
			env: map[string]string{"SAM_CLI_POLL_DELAY": "1"}, want: resolved{"stack": "s", "express": "true", "bucket": "b", "prefix": "p", "poll": "1s"}},
		"delete asks for the stack": {args: []string{"delete"}, files: map[string]string{}, want: resolved{"stack": ""}},
		"delete without a stack":    {args: []string{"delete", "--no-prompts"}, files: map[string]string{}, wantCode: 2, wantErr: "Missing option '--stack-name', provide a stack name that needs to be deleted."},
		"delete bad stack":          {args: []string{"delete", "--stack-name", "-bad"}, files: map[string]string{}, wantCode: 2, wantErr: `invalid --stack-name "-bad": it must start with a letter and contain only letters, digits and hyphens`},
	})
}

// TestPruneAndOrphansResolution: prune and orphans read the deploy section (stack name,
// region), their own section over it, and check their values before anything runs.
func TestPruneAndOrphansResolution(t *testing.T) {
	deploySection := tomlHead + "[default.deploy.parameters]\nstack_name = \"dep\"\nregion = \"eu-west-1\"\nconfirm_changeset = true\n"
	runResolveCases(t, map[string]resolveCase{
		"prune defaults from the deploy section": {args: []string{"prune"}, files: map[string]string{"samconfig.toml": deploySection},
			want: resolved{"stack": "dep", "region": "eu-west-1", "keep": "3", "dry_run": "false", "no_prompts": "false"}},
		"prune section over it": {args: []string{"prune", "--dry-run"}, files: map[string]string{"samconfig.toml": deploySection +
			"[default.prune.parameters]\nkeep = 5\nno_prompts = true\n"},
			want: resolved{"stack": "dep", "keep": "5", "dry_run": "true", "no_prompts": "true"}},
		"prune flags": {args: []string{"prune", "--stack-name", "s", "--keep", "0", "--region", "us-west-2"}, files: map[string]string{},
			want: resolved{"stack": "s", "keep": "0", "region": "us-west-2"}},
		"prune without a stack": {args: []string{"prune"}, files: map[string]string{}, wantCode: 2,
			wantErr: "Missing option '--stack-name', provide the stack whose repositories to prune."},
		"prune negative keep": {args: []string{"prune", "--stack-name", "s", "--keep", "-2"}, files: map[string]string{}, wantCode: 2,
			wantErr: "Invalid value for '--keep': -2 is below 0."},
		"prune keep not a number": {args: []string{"prune", "--stack-name", "s", "--keep", "many"}, files: map[string]string{}, wantCode: 2,
			wantErr: `invalid argument "many" for "--keep"`},
		"prune bad stack": {args: []string{"prune", "--stack-name", "-bad"}, files: map[string]string{}, wantCode: 2,
			wantErr: `invalid --stack-name "-bad"`},
		"orphans": {args: []string{"orphans"}, files: map[string]string{"samconfig.toml": deploySection},
			want: resolved{"delete": "false", "min_age": "1h0m0s", "region": "eu-west-1"}},
		"orphans flags": {args: []string{"orphans", "--delete", "--no-prompts", "--min-age", "90m"}, files: map[string]string{},
			want: resolved{"delete": "true", "no_prompts": "true", "min_age": "1h30m0s"}},
		"orphans negative age": {args: []string{"orphans", "--min-age", "-1h"}, files: map[string]string{}, wantCode: 2,
			wantErr: "Invalid value for '--min-age': -1h is below 0."},
	})
}
