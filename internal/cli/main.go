// Package cli is samship's command line: cobra commands with SAM CLI's flag names and
// multi-value syntax, samconfig merging (flag > samconfig env > samconfig global > default),
// and the mapping of errors to SAM CLI's exit codes (0 ok, 1 error, 2 usage).
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/samship/samship/internal/awsclient"
	"github.com/samship/samship/internal/deploy"
	"github.com/samship/samship/internal/orphans"
	"github.com/samship/samship/internal/output"
	"github.com/samship/samship/internal/prompt"
	"github.com/samship/samship/internal/prune"
)

// Version and Commit are samship's version and the commit it was built from, set at build
// time with -ldflags "-X ...cli.Version=... -X ...cli.Commit=..." (make build does); without
// Commit, the commit Go recorded, if it did.
var (
	Version = "0.1.0-dev"
	Commit  = ""
)

// IO is the process's streams and environment.
type IO struct {
	In     io.Reader
	Out    io.Writer
	Err    io.Writer
	Getenv func(string) string
	// ErrIsTerminal and Width describe the error stream (progress, tables, prompts);
	// WidthNow, when set, reads its width again (after a resize).
	ErrIsTerminal bool
	Width         int
	WidthNow      func() int
}

// helpWidth is the width help is wrapped to.
func (io IO) helpWidth() int {
	if io.WidthNow != nil {
		return io.WidthNow()
	}
	return io.Width
}

// systemIO describes the real process: width and terminal from stderr.
func systemIO() IO {
	terminal, width := output.TerminalSize(os.Stderr)
	io := IO{In: os.Stdin, Out: os.Stdout, Err: os.Stderr, Getenv: os.Getenv, ErrIsTerminal: terminal, Width: width}
	if terminal {
		io.WidthNow = func() int { _, w := output.TerminalSize(os.Stderr); return w }
	}
	return io
}

// Main runs samship with the process's arguments and streams and returns its exit code.
// Ctrl-C (SIGINT), CI's cancellation and timeout's (SIGTERM), a closed terminal (SIGHUP) and
// a reader that went away (SIGPIPE, as in `samship deploy | head`) all stop the run the same
// way: what is under way is abandoned or finished as an interruption says, temporary files
// go, and the exit code is the shell's for that signal (130, 143, 129, 141).
func Main() int {
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGPIPE)
	defer signal.Stop(sigs)
	go func() {
		if s, ok := <-sigs; ok {
			cancel(signalError{s.(syscall.Signal)})
		}
	}()
	code := Run(ctx, os.Args[1:], systemIO())
	var se signalError
	if code == 130 && errors.As(context.Cause(ctx), &se) {
		code = 128 + int(se.sig)
	}
	return code
}

// signalError is the cause of a run stopped by a signal.
type signalError struct{ sig syscall.Signal }

func (e signalError) Error() string { return "stopped by " + e.sig.String() }

// Run runs samship with args and returns the exit code.
func Run(ctx context.Context, args []string, io IO) int {
	return run(ctx, args, io, defaultRunners(io))
}

// runners are what the commands run once their flags, samconfig and defaults are resolved and
// validated. Tests replace them (gh's runF) to check that resolution without AWS.
type runners struct {
	deploy  func(ctx context.Context, o *deploy.Options, rt deployRuntime) error
	pack    func(ctx context.Context, o *deploy.Options, rt deployRuntime, output string) error
	delete  func(ctx context.Context, d *deleteRequest, rt deployRuntime) error
	prune   func(ctx context.Context, in prune.Input, rt deployRuntime) error
	orphans func(ctx context.Context, in orphans.Input, rt deployRuntime) error
	build   func(ctx context.Context, req buildRequest) error
	sync    func(ctx context.Context, req syncRequest) error
}

func defaultRunners(io IO) runners {
	return runners{
		deploy: func(ctx context.Context, o *deploy.Options, rt deployRuntime) error { return runDeploy(ctx, o, rt, io) },
		pack: func(ctx context.Context, o *deploy.Options, rt deployRuntime, output string) error {
			return runPackage(ctx, o, rt, io, output)
		},
		delete: func(ctx context.Context, d *deleteRequest, rt deployRuntime) error { return runDelete(ctx, d, rt, io) },
		prune:  func(ctx context.Context, in prune.Input, rt deployRuntime) error { return runPrune(ctx, in, rt, io) },
		orphans: func(ctx context.Context, in orphans.Input, rt deployRuntime) error {
			return runOrphans(ctx, in, rt, io)
		},
		build: func(ctx context.Context, req buildRequest) error { return runBuild(ctx, req, io) },
		sync:  func(ctx context.Context, req syncRequest) error { return runSync(ctx, req, io) },
	}
}

// run runs samship with args over r and returns the exit code.
func run(ctx context.Context, args []string, io IO, r runners) int {
	root := newRoot(io, r)
	root.SetArgs(normalizeArgs(args))
	root.SetIn(io.In)
	root.SetOut(io.Out)
	root.SetErr(io.Err)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return 0
	}
	debug := io.Getenv("SAM_DEBUG") != ""
	if cmd != nil {
		if f := cmd.Flags().Lookup("debug"); f != nil && f.Value.String() == "true" {
			debug = true
		}
	}
	line := errorLine(err, debug)
	fmt.Fprintf(io.Err, "Error: %s\n", line)
	var done reported
	if cmd != nil && !errors.As(err, &done) {
		if f := cmd.Flags().Lookup("output"); f != nil && f.Value.String() == string(output.FormatJSON) {
			output.NewJSON(io.Out).Failure(err, line) // a run that failed before its flow began
		}
	}
	return exitCode(err)
}

// errorLine is err as one line, explained (AWS's errors in SAM CLI's words); "" for none.
func errorLine(err error, debug bool) string {
	if err == nil {
		return ""
	}
	return oneLine(awsclient.Explain(err, debug).Error())
}

// exitCode is the exit code for the error a command ended with: 0 for none, 2 for bad usage
// (unknown commands included), 130 for an interruption (Ctrl-C, as a shell reports SIGINT), 1
// for everything else (an aborted question included).
func exitCode(err error) int {
	var usage *deploy.UsageError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &usage):
		return 2
	case errors.Is(err, context.Canceled), errors.Is(err, prompt.ErrInterrupted):
		return 130
	}
	return 1
}

// newHelpCmd is `samship help [command]`: a command's help, or the root's; a topic that is
// no command is bad usage (exit 2), where cobra's own help would print the root's and exit 0.
func newHelpCmd(root *cobra.Command) *cobra.Command {
	return &cobra.Command{
		Use:   "help [command]",
		Short: "Help about any command",
		RunE: func(_ *cobra.Command, args []string) error {
			cmd, rest, err := root.Find(args)
			if err != nil || cmd == nil || len(rest) > 0 {
				msg := fmt.Sprintf("unknown help topic %q", strings.Join(args, " "))
				if len(args) > 0 {
					if s := root.SuggestionsFor(args[0]); len(s) > 0 {
						msg += "; did you mean " + strings.Join(s, " or ") + "?"
					}
				}
				return deploy.Usage(errors.New(msg + " (samship help lists the commands and topics)"))
			}
			cmd.InitDefaultHelpFlag()
			return cmd.Help()
		},
	}
}

// versionLine is what --version prints: the version, the commit it was built from (when the
// build recorded one), the Go version and the platform.
func versionLine(version string) string {
	commit := "unknown"
	if Commit != "" {
		commit = Commit
	} else if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				commit = s.Value[:12]
			}
		}
		for _, s := range info.Settings {
			if s.Key == "vcs.modified" && s.Value == "true" && commit != "unknown" {
				commit += "-dirty"
			}
		}
	}
	return fmt.Sprintf("samship, version %s (commit %s, %s, %s/%s)", version, commit, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", " ")), " ")
}

func newRoot(io IO, r runners) *cobra.Command {
	root := &cobra.Command{
		Use:           "samship",
		Short:         "Deploy AWS SAM applications of container-image functions, with managed ECR repositories",
		Version:       Version,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetVersionTemplate(versionLine(Version) + "\n")
	root.SetHelpCommand(newHelpCmd(root))
	// A word that is no command is bad usage (exit 2), with cobra's suggestion.
	root.SuggestionsMinimumDistance = 2
	root.Args = func(cmd *cobra.Command, args []string) error {
		if len(args) == 0 {
			return nil
		}
		msg := fmt.Sprintf("unknown command %q for %q", args[0], cmd.CommandPath())
		if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
			msg += "; did you mean " + strings.Join(s, " or ") + "?"
		}
		return deploy.Usage(errors.New(msg))
	}
	root.RunE = func(cmd *cobra.Command, _ []string) error { return cmd.Help() }
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return deploy.Usage(err) })
	root.Example = "  # Build the image functions without Docker, then deploy, answering SAM CLI's questions once\n  $ samship build\n  $ samship deploy --guided\n\n" +
		"  # A development stack: new code into the running functions on every save\n  $ samship sync --code --watch --stack-name my-dev-app\n\n" +
		"  # In CI\n  $ samship deploy --stack-name my-app --resolve-image-repos --resolve-s3\n\n" +
		"  # Old images nothing runs, and companion stacks left behind\n  $ samship prune --stack-name my-app --dry-run\n  $ samship orphans\n\n" +
		"  # What a command takes, and what samship reads from the environment\n  $ samship deploy --help\n  $ samship help environment"
	root.AddCommand(newBuildCmd(io, r.build), newSyncCmd(io, r.sync), newDeployCmd(io, r.deploy), newPackageCmd(io, r.pack), newDeleteCmd(io, r.delete),
		newPruneCmd(io, r.prune), newOrphansCmd(io, r.orphans), newEnvironmentTopic())
	return root
}
