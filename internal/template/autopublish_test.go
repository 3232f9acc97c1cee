package template

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestAutoPublishAlias(t *testing.T) {
	const params = "Parameters:\n  Alias: {Type: String, Default: live}\n  Unset: {Type: String}\n"
	type alias struct {
		Name      string
		Intrinsic bool
	}
	tests := map[string]struct {
		globals, props string // YAML flow mappings
		typ            string // ServerlessFunction unless set
		overrides      map[string]string
		want           alias
	}{
		"absent":                             {want: alias{}},
		"literal":                            {props: "{AutoPublishAlias: live}", want: alias{Name: "live"}},
		"from globals":                       {globals: "{AutoPublishAlias: prod}", want: alias{Name: "prod"}},
		"own wins over globals":              {globals: "{AutoPublishAlias: prod}", props: "{AutoPublishAlias: live}", want: alias{Name: "live"}},
		"own null wins over globals":         {globals: "{AutoPublishAlias: prod}", props: "{AutoPublishAlias: }", want: alias{}},
		"own empty wins over globals":        {globals: "{AutoPublishAlias: prod}", props: "{AutoPublishAlias: ''}", want: alias{}},
		"ref to a parameter's default":       {props: "{AutoPublishAlias: !Ref Alias}", want: alias{Name: "live"}},
		"ref to an overridden parameter":     {props: "{AutoPublishAlias: !Ref Alias}", overrides: map[string]string{"Alias": "canary"}, want: alias{Name: "canary"}},
		"ref long form in globals":           {globals: "{AutoPublishAlias: {Ref: Alias}}", overrides: map[string]string{"Alias": "canary"}, want: alias{Name: "canary"}},
		"ref to a pseudo parameter":          {props: "{AutoPublishAlias: !Ref AWS::Region}", want: alias{Name: "eu-west-1"}},
		"ref to a parameter without a value": {props: "{AutoPublishAlias: !Ref Unset}", want: alias{Intrinsic: true}},
		"sub, which SAM refuses":             {props: "{AutoPublishAlias: !Sub 'x-${Alias}'}", want: alias{Intrinsic: true}},
		"lambda function has none":           {globals: "{AutoPublishAlias: prod}", props: "{AutoPublishAlias: live}", typ: LambdaFunction, want: alias{}},
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
			tr, err := Discover(tpl, tc.overrides, "eu-west-1")
			if err != nil {
				t.Fatalf("Discover() = %v", err)
			}
			f := tr.Functions()[0]
			got := alias{Name: f.AutoPublishAlias, Intrinsic: f.AutoPublishAliasIntrinsic}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Discover(%s %s) alias (-want +got):\n%s", globals, props, diff)
			}
		})
	}
}
