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
	{"language-extensions", "samship does not expand AWS::LanguageExtensions templates (Fn::ForEach) yet: deploy with sam deploy, or remove the option"},
	{"beta-features", "samship has no beta features: remove the option (or set it to false)"},
}

// unsupportedValues are where addUnsupportedFlags binds those options.
type unsupportedValues struct {
	signingProfiles                   []string
	languageExtensions, noLanguageExt bool
	betaFeatures, noBetaFeatures      bool
}

// addUnsupportedFlags adds the unsupported options as hidden flags, so that they are refused
// with their reason rather than as an unknown flag.
func addUnsupportedFlags(fl *pflag.FlagSet, u *unsupportedValues) {
	fl.StringArrayVar(&u.signingProfiles, "signing-profiles", nil, "not supported")
	fl.BoolVar(&u.languageExtensions, "language-extensions", false, "not supported")
	fl.BoolVar(&u.noLanguageExt, "no-language-extensions", false, "not supported")
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
		"signing-profiles":    strings.Join(u.signingProfiles, "") != "",
		"language-extensions": u.languageExtensions && !u.noLanguageExt,
		"beta-features":       u.betaFeatures && !u.noBetaFeatures,
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
