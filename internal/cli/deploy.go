package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/samship/samship/internal/awsclient"
	"github.com/samship/samship/internal/deploy"
	"github.com/samship/samship/internal/guided"
	"github.com/samship/samship/internal/output"
	"github.com/samship/samship/internal/samconfig"
)

// deployFlags are the flags of `samship deploy` and `samship package`, in option groups
// (deployopts.go).
type deployFlags struct {
	unsupported unsupportedValues
	guided      bool
	template    templateOptions
	stack       stackOptions
	artifacts   artifactOptions
	images      imageOptions
	changeSet   changeSetOptions
	out         outputOptions
	configFile  string
	configEnv   string
	saveParams  bool
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
	f.changeSet.addFlags(fl)
	f.out.addOutputsFileFlag(fl)
	setHelp(cmd, io.helpWidth, deployHelp)
	return cmd
}

// addArtifactFlags adds the flags deploy and package share: the template, the stack, AWS,
// where artifacts and images go, samconfig, output and debugging.
func addArtifactFlags(fl *pflag.FlagSet, f *deployFlags) {
	fl.SetNormalizeFunc(func(_ *pflag.FlagSet, name string) pflag.NormalizedName {
		if name == "template" {
			name = "template-file"
		}
		return pflag.NormalizedName(name)
	})
	f.template.addFlags(fl)
	f.stack.addFlags(fl)
	f.artifacts.addFlags(fl)
	f.images.addFlags(fl)
	f.artifacts.addLaterFlags(fl)
	f.images.addLaterFlags(fl)
	fl.StringVar(&f.configFile, "config-file", samconfig.DefaultName, "samconfig file")
	fl.StringVar(&f.configEnv, "config-env", "default", "samconfig environment")
	fl.BoolVar(&f.saveParams, "save-params", false, "save the options given on the command line to the samconfig file")
	fl.BoolVar(&f.stack.debug, "debug", false, "print every AWS call and registry request")
	f.out.addFlags(fl)
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
	// Output is --output; OutputsFile is --outputs-file. Document says the command's JSON is
	// one document, its result (delete, prune, orphans), not a stream of lines.
	Output      output.Format
	OutputsFile string
	Document    bool
}

// resolve merges flags over samconfig over defaults, then each option group parses and
// checks its values; a bad value is bad usage.
func (f *deployFlags) resolve(fl *pflag.FlagSet, io IO, command string) (*deploy.Options, deployRuntime, error) {
	rt := deployRuntime{Guided: f.guided, ConfigFile: f.configFile, ConfigEnv: f.configEnv, ConfigDir: "."}
	imageReposFrom, err := f.applyConfig(fl, &rt, command)
	if err != nil {
		return nil, rt, err
	}
	o := &deploy.Options{ImageReposFrom: imageReposFrom}
	if err := f.template.resolve(o, io); err != nil {
		return nil, rt, err
	}
	f.stack.resolve(o, &rt, io)
	for _, resolve := range []func() error{
		func() error { return f.artifacts.resolve(o) },
		func() error { return f.images.resolve(o, &rt, io) },
		func() error { return f.changeSet.resolve(fl, o, io) },
		func() error { return f.out.resolve(&rt, f.guided, o.ConfirmChangeset) },
	} {
		if err := resolve(); err != nil {
			return nil, rt, deploy.Usage(err)
		}
	}
	if f.saveParams && !f.guided {
		rt.Save, rt.SaveParams = true, commandLineParams(fl)
	}
	return o, rt, nil
}

// applyConfig finds and reads the samconfig file, puts its values into the flags not given
// and refuses the options samship does not support. It returns where image_repositories came
// from when samconfig gave them, for errors about its entries.
func (f *deployFlags) applyConfig(fl *pflag.FlagSet, rt *deployRuntime, command string) (string, error) {
	if fl.Changed("template-file") {
		rt.ConfigDir = filepath.Dir(f.template.file)
	}
	// Guided mode shows and saves exactly --config-file, as SAM CLI does; a missing file is
	// fine there, since guided creates it.
	cfgPath, err := samconfig.Find(rt.ConfigDir, f.configFile, fl.Changed("config-file") && !f.guided)
	if err != nil {
		return "", err
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
			return "", err
		}
		if err := applyConfig(fl, cfg.Params(f.configEnv, command), cfgPath, f.configEnv+"."+command); err != nil {
			return "", err
		}
		sectionOf = func(key string) string {
			section := "global"
			if _, own := cfg.Section(f.configEnv, command)[key]; own {
				section = command
			}
			return fmt.Sprintf("%s: [%s.%s.parameters]", cfgPath, f.configEnv, section)
		}
		if !fl.Changed("image-repositories") && len(f.images.repositories) > 0 {
			imageReposFrom = fmt.Sprintf("%s [%s.%s.parameters]", filepath.Base(cfgPath), f.configEnv, command)
		}
	}
	return imageReposFrom, f.unsupported.check(fl, sectionOf)
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
