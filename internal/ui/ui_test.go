package ui

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestTableMatchesSAMGeometry(t *testing.T) {
	var b strings.Builder
	tb := NewTable(&b, Painter{}, 80, "CloudFormation events from stack operations (refresh every 5.0 seconds)",
		"ResourceStatus", "ResourceType", "LogicalResourceId", "ResourceStatusReason")
	tb.Row(nil, "CREATE_IN_PROGRESS", "AWS::CloudFormation::Stack", "peer-app", "User Initiated")
	tb.Rule()
	// Lines observed from SAM CLI 1.164.0 on a non-terminal (sam-cli-observed.md §7.1).
	want := `
CloudFormation events from stack operations (refresh every 5.0 seconds)
-------------------------------------------------------------------------------------------------
ResourceStatus           ResourceType             LogicalResourceId        ResourceStatusReason   
-------------------------------------------------------------------------------------------------
CREATE_IN_PROGRESS       AWS::CloudFormation::S   peer-app                 User Initiated         
                         tack                                                                     
-------------------------------------------------------------------------------------------------
`
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Errorf("table mismatch (-want +got):\n%s", diff)
	}
}

func TestWrap(t *testing.T) {
	tests := map[string]struct {
		in    string
		width int
		want  []string
	}{
		"fits":                {"a b", 5, []string{"a b"}},
		"break":               {"aa bb cc", 5, []string{"aa bb", "cc"}},
		"long word":           {"AWS::CloudFormation::Stack", 22, []string{"AWS::CloudFormation::S", "tack"}},
		"empty":               {"", 5, []string{""}},
		"inner spaces kept":   {"Key                 Arn", 40, []string{"Key                 Arn"}},
		"hyphen break":        {"Value  peer-app-HelloFunction-YCULGLIELAKY", 30, []string{"Value  peer-app-HelloFunction-", "YCULGLIELAKY"}},
		"edge spaces dropped": {"aaa     bbb", 4, []string{"aaa", "bbb"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, Wrap(tc.in, tc.width)); diff != "" {
				t.Errorf("Wrap(%q, %d) mismatch (-want +got):\n%s", tc.in, tc.width, diff)
			}
		})
	}
}

func TestPainter(t *testing.T) {
	if got := (Painter{}).Red("x"); got != "x" {
		t.Errorf("Painter{}.Red = %q, want plain", got)
	}
	if got := (Painter{On: true}).Red("x"); got != "\x1b[31mx\x1b[0m" {
		t.Errorf("Painter{On}.Red = %q", got)
	}
}
