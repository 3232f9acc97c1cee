package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/pflag"

	"github.com/samship/samship/internal/deploy"
)

// unsupported are the options of sam deploy and sam package that samship does not implement,
// with why. They are taken (from the command line and from samconfig) only to be refused
// before anything runs: ignoring them would deploy what the user did not ask for (unsigned
// code where signing was configured, say).
var unsupported = []struct{ flag, why string }{
	{"signing-profiles", "samship does not sign code (AWS Signer) yet: deploy with sam deploy to sign it, or remove the option"},
	{"beta-features", "samship has no beta features: remove the option (or set it to false)"},
}

// unsupportedValues are where addUnsupportedFlags binds those options, and SAM CLI's
// --language-extensions/--no-language-extensions, which samship accepts and needs not: SAM CLI
// expands AWS::LanguageExtensions loops locally only when asked (the flag, or
// SAM_CLI_ENABLE_LANGUAGE_EXTENSIONS), and otherwise does not see the functions they generate;
// samship always reads a template's loops, so either value deploys the same.
type unsupportedValues struct {
	signingProfiles                   []string
	languageExtensions, noLanguageExt bool
	betaFeatures, noBetaFeatures      bool
}

// addUnsupportedFlags adds the unsupported options as hidden flags, so that they are refused
// with their reason rather than as an unknown flag.
func addUnsupportedFlags(fl *pflag.FlagSet, u *unsupportedValues) {
	fl.StringArrayVar(&u.signingProfiles, "signing-profiles", nil, "not supported")
	fl.BoolVar(&u.languageExtensions, "language-extensions", false, "accepted as in SAM CLI: samship always expands Fn::ForEach loops to find their functions")
	fl.BoolVar(&u.noLanguageExt, "no-language-extensions", false, "accepted as in SAM CLI: samship always expands Fn::ForEach loops to find their functions")
	fl.BoolVar(&u.betaFeatures, "beta-features", false, "not supported")
	fl.BoolVar(&u.noBetaFeatures, "no-beta-features", false, "not supported")
	for _, n := range []string{"signing-profiles", "language-extensions", "no-language-extensions", "beta-features", "no-beta-features"} {
		_ = fl.MarkHidden(n)
	}
}

// check refuses an unsupported option that asks for something: from the command line as bad
// usage, from samconfig naming the file and section it is in (sectionOf: "FILE: [SECTION]").
func (u *unsupportedValues) check(fl *pflag.FlagSet, sectionOf func(key string) string) error {
	asked := map[string]bool{
		"signing-profiles": strings.Join(u.signingProfiles, "") != "",
		"beta-features":    u.betaFeatures && !u.noBetaFeatures,
	}
	for _, o := range unsupported {
		switch {
		case !asked[o.flag]:
		case fl.Changed(o.flag):
			return deploy.Usage(fmt.Errorf("--%s: %s", o.flag, o.why))
		default:
			key := strings.ReplaceAll(o.flag, "-", "_")
			return fmt.Errorf("%s %s: %s", sectionOf(key), key, o.why)
		}
	}
	return nil
}
