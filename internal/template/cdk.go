package template

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"
)

// CDK asset metadata, as `cdk synth` writes it on resources whose code is an asset, and the
// property it names for an image function.
const (
	assetPathKey     = "aws:asset:path"
	assetPropertyKey = "aws:asset:property"
	imageAssetProp   = "Code.ImageUri"
)

// cdkAsset is what SAM CLI's resource metadata normalizer (samcli/lib/samlib/
// resource_metadata_normalizer.py) makes of a resource's CDK asset metadata: the property
// aws:asset:property names gets the asset's local path (for an image function, Code.ImageUri
// gets the name sam build gives its image, the logical id lower-cased), and Metadata gains
// what sam build and sam package read.
type cdkAsset struct {
	prop  string     // the property replaced: "Code.ImageUri", "Code", "Content", "TemplateURL"
	path  string     // its new value
	image bool       // prop is Code.ImageUri
	node  *yaml.Node // the property's first segment under Properties, which SAM replaces whole; nil when absent
	meta  []metaEntry
}

// metaEntry is one Metadata key SAM CLI's normalizer sets, with its value as JSON text.
type metaEntry struct{ key, json string }

// assetOf returns what SAM CLI's normalizer does to resource logical (r): replaced reports a
// property replaced; meta lists the Metadata keys set even when nothing is replaced
// (SkipBuild). A resource already normalized (Metadata.SamNormalized, as in the template sam
// build writes) is left as it is.
func assetOf(path, logical string, r *yaml.Node) (a cdkAsset, replaced bool, err error) {
	meta := lookup(r, "Metadata")
	if !truthy(lookup(meta, "SamNormalized")) {
		a.prop = scalar(lookup(meta, assetPropertyKey))
		if a.prop == imageAssetProp {
			df := lookup(meta, "aws:asset:dockerfile-path")
			if df == nil || df.Kind != yaml.ScalarNode || isNull(df) {
				return a, false, fmt.Errorf("%s:%d: resource %s: Metadata has aws:asset:property Code.ImageUri but no aws:asset:dockerfile-path", path, meta.Line, logical)
			}
			// For image functions the asset path is the image's name: sam build tags the image
			// it builds with the function's logical id, lower-cased.
			a.path, a.image = strings.ToLower(logical), true
			a.meta = append(a.meta,
				metaEntry{"Dockerfile", quote(pyPath(df.Value))},
				metaEntry{"DockerContext", quote(pyPath(scalar(lookup(meta, assetPathKey))))},
				metaEntry{"DockerBuildArgs", jsonOr(lookup(meta, "aws:asset:docker-build-args"), "{}")},
				metaEntry{"DockerBuildExtraParams", jsonOr(lookup(meta, "aws:asset:docker-build-extra-params"), "[]")})
		} else {
			a.path = scalar(lookup(meta, assetPathKey))
		}
		if a.prop != "" && a.path != "" {
			replaced = true
			first, _, _ := strings.Cut(a.prop, ".")
			a.node = lookup(lookup(r, "Properties"), first)
			a.meta = append(a.meta, metaEntry{"SamNormalized", "true"})
		} else {
			a.meta = nil // SAM CLI ignores metadata with only one of the two
		}
	}
	if truthy(lookup(meta, "aws:asset:is-bundled")) {
		a.meta = append(a.meta, metaEntry{"SkipBuild", "true"})
	}
	return a, replaced, nil
}

// replaces reports whether the asset replaces property prop, a top-level property name.
func (a cdkAsset) replaces(prop string) bool { return a.prop == prop && a.path != "" }

// useImageAsset makes f the image function SAM CLI's normalizer makes of it: its image is the
// one sam build leaves for it, and packaging replaces its whole Code with {ImageUri: pushed}.
func (f *Function) useImageAsset(a cdkAsset) error {
	if a.node == nil {
		return fmt.Errorf("%s: function %s has aws:asset:property Code.ImageUri but no Code property to rewrite", f.Where, f.FullPath)
	}
	f.ImageURI, f.ImageURIIntrinsic, f.uri, f.codeAsset = a.path, false, a.node, true
	f.DockerContext = true // the normalizer sets Metadata.DockerContext
	return nil
}

// cdkAssetParameter is the name CDK gives the parameters of its assets (v1 templates; SAM
// CLI's CDK_ASSET_PARAMETER_PATTERN).
var cdkAssetParameter = regexp.MustCompile(`^AssetParameters[0-9a-fA-F]{64}(?:S3Bucket|S3VersionKey|ArtifactHash)[0-9a-fA-F]{8}$`)

// cdkAssetDefault is the default SAM CLI's packaging gives CDK asset parameters: a space.
const cdkAssetDefault = " "

// cdkParameterDefaults returns the parameters SAM CLI's packaging gives the default " " so that
// a CDK template deploys without values for them (sam never uses them: it sets the assets'
// paths itself): in a CDK template, String parameters named like CDK's asset parameters,
// without a Default, that no resource other than a nested stack Refs once the asset
// properties are replaced. The parameter nodes are returned by name.
func (t *Template) cdkParameterDefaults() map[string]*yaml.Node {
	ps := lookup(t.root, "Parameters")
	if ps == nil || ps.Kind != yaml.MappingNode || !t.isCDK() {
		return nil
	}
	var out map[string]*yaml.Node
	for i := 0; i+1 < len(ps.Content); i += 2 {
		name, p := ps.Content[i].Value, ps.Content[i+1]
		if !cdkAssetParameter.MatchString(name) || p.Kind != yaml.MappingNode || lookup(p, "Default") != nil || scalar(lookup(p, "Type")) != "String" {
			continue
		}
		if out == nil {
			out = map[string]*yaml.Node{}
		}
		out[name] = p
	}
	if len(out) == 0 {
		return nil
	}
	res := lookup(t.root, "Resources")
	for i := 0; i+1 < len(res.Content); i += 2 {
		r := res.Content[i+1]
		if r.Kind != yaml.MappingNode || scalar(lookup(r, "Type")) == "AWS::CloudFormation::Stack" {
			continue
		}
		a, replaced, _ := assetOf(t.Path, res.Content[i].Value, r)
		var skip *yaml.Node
		if replaced {
			skip = a.node
		}
		forRefs(r, skip, func(name string) { delete(out, name) })
	}
	return out
}

// forRefs calls fn with the target of every Ref in n, except under skip.
func forRefs(n, skip *yaml.Node, fn func(string)) {
	if n == nil || n == skip {
		return
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!Ref" {
		fn(n.Value)
	}
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if v := n.Content[i+1]; n.Content[i].Value == "Ref" && v.Kind == yaml.ScalarNode {
				fn(v.Value)
			}
		}
	}
	for _, c := range n.Content {
		forRefs(c, skip, fn)
	}
}

// isCDK reports what SAM CLI's is_cdk_project does: a resource of type AWS::CDK::Metadata, a
// resource with aws:cdk:path metadata, or CDK's files (manifest.json, tree.json, cdk.json)
// in the current directory.
func (t *Template) isCDK() bool {
	if res := lookup(t.root, "Resources"); res != nil {
		for i := 0; i+1 < len(res.Content); i += 2 {
			r := res.Content[i+1] // a Fn::ForEach loop is a list: neither has a Type
			if scalar(lookup(r, "Type")) == "AWS::CDK::Metadata" || lookup(lookup(r, "Metadata"), "aws:cdk:path") != nil {
				return true
			}
		}
	}
	for _, f := range []string{"manifest.json", "tree.json", "cdk.json"} {
		if _, err := os.Stat(f); err == nil {
			return true
		}
	}
	return false
}

// pyPath is str(pathlib.PurePosixPath(p)): empty and "." parts and trailing slashes dropped,
// ".." kept, "" is ".".
func pyPath(p string) string {
	var parts []string
	for _, s := range strings.Split(p, "/") {
		if s != "" && s != "." {
			parts = append(parts, s)
		}
	}
	out := strings.Join(parts, "/")
	if strings.HasPrefix(p, "/") {
		return "/" + out
	}
	if out == "" {
		return "."
	}
	return out
}

func scalar(n *yaml.Node) string {
	if n == nil || n.Kind != yaml.ScalarNode || isNull(n) {
		return ""
	}
	return n.Value
}

func truthy(n *yaml.Node) bool {
	v := scalar(n)
	return v == "true" || v == "True" || v == "TRUE"
}

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// jsonOr renders n as JSON in its own key order, or def when n is absent.
func jsonOr(n *yaml.Node, def string) string {
	if n == nil || isNull(n) {
		return def
	}
	return nodeJSON(n)
}

// nodeJSON renders a plain YAML value (no intrinsics' short forms) as JSON, keys in order.
func nodeJSON(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		var b strings.Builder
		b.WriteByte('{')
		for i := 0; i+1 < len(n.Content); i += 2 {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(quote(n.Content[i].Value) + ": " + nodeJSON(n.Content[i+1]))
		}
		return b.String() + "}"
	case yaml.SequenceNode:
		var parts []string
		for _, c := range n.Content {
			parts = append(parts, nodeJSON(c))
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case yaml.AliasNode:
		return nodeJSON(n.Alias)
	}
	switch n.ShortTag() {
	case "!!int", "!!float", "!!bool":
		var v any
		if err := n.Decode(&v); err == nil {
			b, _ := json.Marshal(v)
			return string(b)
		}
	case "!!null":
		return "null"
	}
	return quote(n.Value)
}
