package template

import (
	"strings"
	"testing"
)

// TestHostileTemplates: YAML aliases and merge keys are refused with file:line (CloudFormation
// supports neither, and samship deploys the bytes it read); a JSON template with a UTF-8 byte
// order mark is read as YAML with one is.
func TestHostileTemplates(t *testing.T) {
	tests := map[string]struct {
		in      string
		wantErr string
	}{
		"alias of a local path": {in: "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Metadata: {Path: &u ./images/fn}\n    Properties:\n      PackageType: Image\n      ImageUri: *u\n",
			wantErr: "t.yaml:7: YAML alias *u: CloudFormation does not support aliases; write the value out in full"},
		"merge key": {in: "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      <<: {PackageType: Image, ImageUri: ./images/fn}\n",
			wantErr: "t.yaml:5: YAML merge key <<: CloudFormation does not support merge keys; write the keys out in full"},
		"merge key of an alias": {in: "Mappings:\n  Base: &b {PackageType: Image}\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      <<: *b\n",
			wantErr: "t.yaml:7: YAML merge key <<"},
		"quoted << is a plain key": {in: "Resources:\n  Fn:\n    Type: X\n    Properties: {\"<<\": 1}\n"},
		"anchor alone":             {in: "Resources:\n  Fn: &fn\n    Type: X\n"},
		"json with a BOM":          {in: "\ufeff{\"Resources\": {\"Fn\": {\"Type\": \"X\"}}}\n"},
		"yaml with a BOM":          {in: "\ufeffResources:\n  Fn: {Type: X}\n"},
		"json with a BOM, broken":  {in: "\ufeff{\n\"Resources\": {\"Fn\" 1}}\n", wantErr: "t.yaml:2: invalid character '1' after object key"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			tpl, err := Parse("t.yaml", []byte(tc.in))
			if tc.wantErr != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tc.wantErr) {
					t.Errorf("Parse() error = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse() = %v", err)
			}
			if tpl.JSON && strings.HasPrefix(string(tpl.Raw), "\ufeff") {
				t.Errorf("Parse() kept the byte order mark of a JSON template in Raw")
			}
		})
	}
}
