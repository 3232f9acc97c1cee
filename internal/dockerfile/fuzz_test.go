package dockerfile

import (
	"strings"
	"testing"
)

// FuzzParse: any Dockerfile text is parsed or refused with an error, never a panic; what
// parses has stages whose instructions say where they are, and its words expand or fail.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"FROM public.ecr.aws/lambda/python:3.12\nCOPY requirements.txt ./\nRUN python3.12 -m pip install -r requirements.txt -t .\nCOPY app.py ./\nCMD [\"app.lambda_handler\"]\n",
		"ARG V=3.12\nFROM x:${V} AS a\nENV A=\"b c\" D=${A:-e}\nFROM a\nCOPY --from=a --chown=1:1 --chmod=755 / /x/\n",
		"# escape=`\nFROM x\nRUN a `\n b\nHEALTHCHECK CMD true\nLABEL \"a\"=\"b\"\nEXPOSE 80/udp\nSHELL [\"/bin/bash\", \"-c\"]\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		df, err := Parse("Dockerfile", strings.NewReader(text))
		if err != nil {
			return
		}
		for _, s := range df.Stages {
			for _, in := range s.Instructions {
				if in.Line() < 1 || !strings.HasPrefix(in.Where(), "Dockerfile:") {
					t.Fatalf("instruction %T at %q, line %d", in, in.Where(), in.Line())
				}
			}
			_, _ = df.ExpandFrom(s, map[string]string{"V": "1"}, "linux/arm64")
		}
	})
}
