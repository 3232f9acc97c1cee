package cli

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/samship/samship/internal/output"
)

// A command's help is laid out as SAM CLI lays out its own: usage, what the command does,
// examples (shown as gh shows them), then the options in SAM CLI's groups and order, a flag
// and its --no- form on one line, and the options that take several values with SAM's syntax.

type commandHelp struct {
	about    string // paragraphs after the usage line
	examples []example
	groups   []optionGroup
}

type example struct{ what, command string }

type optionGroup struct {
	title string
	names []string // flags, in the order shown; a --no-<name> flag is shown with <name>
	note  string
}

// placeholders name the value of options whose value is not plain TEXT.
var placeholders = map[string]string{
	"on-failure":                   "[ROLLBACK|DELETE|DO_NOTHING]",
	"template-file":                "PATH",
	"output-template-file":         "PATH",
	"config-file":                  "PATH",
	"image-repos-tag-mutability":   "[MUTABLE|IMMUTABLE]",
	"image-repos-kms-key":          "ARN",
	"image-repos-lifecycle-policy": "file://PATH",
}

// several shows the options that take several values (greedy in argv.go) in SAM's syntax.
var several = map[string]string{
	"capabilities":        "--capabilities CAPABILITY_IAM CAPABILITY_AUTO_EXPAND",
	"tags":                "--tags team=web env=prod",
	"image-repos-tags":    "--image-repos-tags cost-center=42 owner=platform",
	"notification-arns":   "--notification-arns arn:aws:sns:us-east-1:123456789012:a arn:aws:sns:us-east-1:123456789012:b",
	"parameter-overrides": "--parameter-overrides Stage=prod Memory=512 (or file://params.json)",
	"image-repositories":  "--image-repositories Hello=123456789012.dkr.ecr.us-east-1.amazonaws.com/hello World=123456789012.dkr.ecr.us-east-1.amazonaws.com/world",
}

const configNote = "Values not given come from samconfig.toml: [<config-env>.<command>.parameters] over [<config-env>.global.parameters], with SAM CLI's keys."

// stackConfigNote is configNote for the commands on deployed stacks, which also read the
// deploy section, as sam delete does.
const stackConfigNote = "Values not given come from samconfig.toml: [<config-env>.<command>.parameters] over [<config-env>.deploy.parameters] (the stack name, region and profile, as sam delete reads them) over [<config-env>.global.parameters], with SAM CLI's keys."

// setHelp makes h the help of cmd (for --help and `samship help <command>`), wrapped to the
// width width reads.
func setHelp(cmd *cobra.Command, width func() int, h commandHelp) {
	cmd.SetHelpFunc(func(c *cobra.Command, _ []string) {
		fmt.Fprint(c.OutOrStdout(), renderHelp(c, h, width()))
	})
}

func renderHelp(c *cobra.Command, h commandHelp, width int) string {
	width = min(max(width, 60), 120)
	var b strings.Builder
	args := "" // the words after the command's name in its Use: "[FUNCTION...]"
	if _, rest, ok := strings.Cut(c.Use, " "); ok {
		args = " " + rest
	}
	fmt.Fprintf(&b, "Usage: %s [OPTIONS]%s\n\n", c.CommandPath(), args)
	for _, p := range append([]string{c.Short + "."}, strings.Split(h.about, "\n\n")...) {
		if p == "" {
			continue
		}
		for _, l := range wrapWords(p, width-2) {
			fmt.Fprintf(&b, "  %s\n", l)
		}
		b.WriteString("\n")
	}
	if len(h.examples) > 0 {
		b.WriteString("Examples:\n")
		for _, e := range h.examples {
			fmt.Fprintf(&b, "  # %s\n  $ %s\n", e.what, e.command)
		}
		b.WriteString("\n")
	}
	fl := c.Flags()
	for _, g := range h.groups {
		fmt.Fprintf(&b, "%s:\n", g.title)
		for _, name := range g.names {
			f := fl.Lookup(name)
			if f == nil {
				continue
			}
			optionRows(&b, fl, f, width)
		}
		if g.note != "" {
			b.WriteString("\n")
			for _, l := range wrapWords(g.note, width-2) {
				fmt.Fprintf(&b, "  %s\n", l)
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}

// nameColumn is the width of the options' names; a longer name puts its text on the next line.
const nameColumn = 34

func optionRows(b *strings.Builder, fl *pflag.FlagSet, f *pflag.Flag, width int) {
	name := "--" + f.Name
	if f.Shorthand != "" {
		name = "-" + f.Shorthand + ", " + name
	}
	if v := valueName(f); v != "" {
		name += " " + v
	}
	if no := fl.Lookup("no-" + f.Name); no != nil {
		name += " / --no-" + f.Name
	}
	text := f.Usage
	if s, ok := several[f.Name]; ok {
		text += ". Several at once: " + s
	}
	d := f.DefValue
	if dur, err := time.ParseDuration(d); err == nil && f.Value.Type() == "duration" {
		d = output.ShortDuration(dur)
	}
	if d != "" && d != "false" && d != "[]" && d != "0" {
		text += fmt.Sprintf(" (default: %s)", d)
	}
	lines := wrapWords(text, width-2-nameColumn)
	if len(name) > nameColumn-2 {
		fmt.Fprintf(b, "  %s\n", name)
	} else {
		fmt.Fprintf(b, "  %-*s%s\n", nameColumn, name, lines[0])
		lines = lines[1:]
	}
	for _, l := range lines {
		fmt.Fprintf(b, "  %*s%s\n", nameColumn, "", l)
	}
}

// valueName is how an option's value is shown: SAM CLI's TEXT, INTEGER or LIST, or the
// option's own placeholder; booleans take none.
func valueName(f *pflag.Flag) string {
	if p, ok := placeholders[f.Name]; ok {
		return p
	}
	switch f.Value.Type() {
	case "bool":
		return ""
	case "int":
		return "INTEGER"
	case "duration":
		return "DURATION"
	case "stringArray":
		return "LIST"
	}
	return "TEXT"
}

// wrapWords breaks s into lines of at most width columns, at spaces only (an option or a
// command is never broken); a longer word stands on its own line.
func wrapWords(s string, width int) []string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(s) {
		switch {
		case line == "":
			line = w
		case len(line)+1+len(w) <= width:
			line += " " + w
		default:
			lines, line = append(lines, line), w
		}
	}
	return append(lines, line)
}

// helpGroups returns the groups with the "Other Options" SAM CLI ends every command with.
func helpGroups(groups ...optionGroup) []optionGroup {
	return append(groups, optionGroup{title: "Other Options", names: []string{"debug", "help"}})
}
