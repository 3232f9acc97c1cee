package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/samship/samship/internal/deploy"
	out "github.com/samship/samship/internal/output"
)

// newPackageCmd builds `samship package`: what deploy does before its change set, with the
// packaged template written out instead of deployed.
func newPackageCmd(io IO, runF func(context.Context, *deploy.Options, deployRuntime, string) error) *cobra.Command {
	f := &deployFlags{}
	var output string
	cmd := &cobra.Command{
		Use:   "package",
		Short: "Push images and upload local artifacts, and write the packaged template",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o, rt, err := f.resolve(cmd.Flags(), io, "package")
			if err != nil {
				return err
			}
			if o.StackName == "" {
				// SAM CLI names the companion stack of `sam package` after the template.
				base := filepath.Base(o.TemplateFile)
				o.StackName = "sam-app-" + strings.TrimSuffix(base, filepath.Ext(base))
			}
			o.PackageOnly = true
			return runF(cmd.Context(), o, rt, output)
		},
	}
	addArtifactFlags(cmd.Flags(), f)
	cmd.Flags().StringVar(&output, "output-template-file", "", "where to write the packaged template (standard output when not given)")
	setHelp(cmd, io.helpWidth, packageHelp)
	return cmd
}

func runPackage(ctx context.Context, o *deploy.Options, rt deployRuntime, io IO, output string) error {
	c := newConnection(o, rt, io)
	defer c.report()
	in, env, err := c.prepare(ctx)
	if err != nil {
		return err
	}
	rt.SaveParams = withoutNoEcho(rt.SaveParams, in.Template, c.ui)
	if err := saveParams(rt, c.ui, "package"); err != nil {
		return err
	}
	body, res, err := deploy.Package(ctx, in, env)
	if err == nil && output != "" {
		if err = os.WriteFile(output, body, 0o644); err != nil {
			err = fmt.Errorf("write %s: %w", output, err)
		}
	}
	if _, ok := c.ui.(*out.JSON); ok {
		return c.finish(err, func(j *out.JSON, msg string) { j.PackageResult(res, output, body, err, msg) })
	}
	if err != nil {
		return err
	}
	if output == "" {
		if o.UseJSON { // SAM CLI echoes its JSON with a newline; its file has none
			body = append(body, '\n')
		}
		_, err := io.Out.Write(body)
		return err
	}
	abs, _ := filepath.Abs(output)
	c.ui.Packaged(output, abs)
	return nil
}
