package template

import (
	"testing"
)

func TestArchitecture(t *testing.T) {
	const params = "Parameters:\n  Arch: {Type: String, Default: arm64}\n  Archs: {Type: CommaDelimitedList, Default: x86_64}\n  Unset: {Type: String}\n"
	tests := map[string]struct {
		globals, props string // YAML flow mappings
		typ            string // ServerlessFunction unless set
		overrides      map[string]string
		want, wantErr  string
	}{
		"none":                       {want: ""},
		"arm64":                      {props: "{Architectures: [arm64]}", want: "arm64"},
		"x86_64":                     {props: "{Architectures: [x86_64]}", want: "x86_64"},
		"from globals":               {globals: "{Architectures: [arm64]}", want: "arm64"},
		"lambda ignores globals":     {globals: "{Architectures: [arm64]}", typ: LambdaFunction, want: ""},
		"lambda's own":               {props: "{Architectures: [arm64]}", typ: LambdaFunction, want: "arm64"},
		"item ref default":           {props: "{Architectures: [!Ref Arch]}", want: "arm64"},
		"item ref override":          {props: "{Architectures: [!Ref Arch]}", overrides: map[string]string{"Arch": "x86_64"}, want: "x86_64"},
		"item ref long form":         {props: "{Architectures: [{Ref: Arch}]}", want: "arm64"},
		"list ref":                   {props: "{Architectures: !Ref Archs}", want: "x86_64"},
		"list ref overrides globals": {globals: "{Architectures: [arm64]}", props: "{Architectures: !Ref Archs}", want: "x86_64"},
		"unresolved item":            {props: "{Architectures: [!GetAtt X.Arch]}", want: ""},
		"unset parameter":            {props: "{Architectures: !Ref Unset}", want: ""},
		"unresolved list":            {props: "{Architectures: !Split [',', !GetAtt X.Y]}", want: ""},
		"null":                       {props: "{Architectures: }", want: ""},
		"two items": {props: "{Architectures: [arm64, x86_64]}",
			wantErr: "t.yaml:10: function Fn: Architectures is [arm64, x86_64]: Lambda takes one item, x86_64 or arm64"},
		"globals and own list are joined": {globals: "{Architectures: [arm64]}", props: "{Architectures: [x86_64]}",
			wantErr: "t.yaml:10: function Fn: Architectures is [arm64, x86_64] (the Globals list then the function's: SAM joins them): Lambda takes one item, x86_64 or arm64"},
		"unknown name": {props: "{Architectures: [amd64]}",
			wantErr: "t.yaml:10: function Fn: Architectures is [amd64]: Lambda takes one item, x86_64 or arm64"},
		"unknown name in globals": {globals: "{Architectures: [aarch64]}",
			wantErr: "t.yaml:6: function Fn: Architectures is [aarch64] (from Globals): Lambda takes one item, x86_64 or arm64"},
		"empty list": {props: "{Architectures: []}",
			wantErr: "t.yaml:10: function Fn: Architectures is []: Lambda takes one item, x86_64 or arm64"},
		"not a list": {props: "{Architectures: arm64}",
			wantErr: "t.yaml:10: function Fn: Architectures is \"arm64\", not a list: Lambda takes a list of one item, x86_64 or arm64"},
		"two through a parameter": {props: "{Architectures: !Ref Archs}", overrides: map[string]string{"Archs": "x86_64,arm64"},
			wantErr: "t.yaml:10: function Fn: Architectures is [x86_64, arm64]: Lambda takes one item, x86_64 or arm64"},
		"two with one unresolved": {props: "{Architectures: [arm64, !GetAtt X.Y]}",
			wantErr: "t.yaml:10: function Fn: Architectures is [arm64, !GetAtt X.Y]: Lambda takes one item, x86_64 or arm64"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			typ, globals, props := ServerlessFunction, tc.globals, tc.props
			if tc.typ != "" {
				typ = tc.typ
			}
			if globals == "" {
				globals = "{}"
			}
			if props == "" {
				props = "{}"
			}
			src := params + "Globals:\n  Function: " + globals + "\nResources:\n  Fn:\n    Type: " + typ + "\n    Properties: " + props + "\n"
			tpl, err := Parse("t.yaml", []byte(src))
			if err != nil {
				t.Fatal(err)
			}
			tr, err := Discover(tpl, tc.overrides, "")
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Errorf("Discover() error = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Discover() = %v", err)
			}
			if got := tr.Functions()[0].Architecture; got != tc.want {
				t.Errorf("Architecture = %q, want %q", got, tc.want)
			}
		})
	}
}
