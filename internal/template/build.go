package template

import (
	"fmt"
	"path/filepath"

	"go.yaml.in/yaml/v3"
)

// BuildMetadata is what sam build reads from an image function's Metadata to build its image
// (samcli/lib/build/app_builder.py, _build_lambda_image): docker build's inputs.
type BuildMetadata struct {
	// Dockerfile is Metadata.Dockerfile as written: a path within Context. sam build requires
	// it, so no default is applied.
	Dockerfile string
	// Context is Metadata.DockerContext resolved to an absolute directory (a relative one is
	// relative to the template's directory, as SAM CLI resolves it against the stack's file).
	Context string
	// Tag is Metadata.DockerTag, "latest" when absent (sam build's default).
	Tag string
	// Args are Metadata.DockerBuildArgs, values as their YAML text (1 is "1", true is "true");
	// an argument given null is left out, as docker build then uses the ARG's default.
	Args map[string]string
	// Target is Metadata.DockerBuildTarget: the stage of a multi-stage Dockerfile to build.
	Target string
	// Where is "file:line" of the Metadata.
	Where string
}

// buildSource is where the build metadata of one function is read: the resource's Metadata,
// with the keys SAM CLI's resource metadata normalizer sets for a CDK image asset in over.
type buildSource struct {
	t     *Template
	key   *yaml.Node // the Metadata key, for Where
	meta  *yaml.Node
	over  map[string]*yaml.Node
	owner string // "function Fn", for errors
}

func (s buildSource) get(key string) *yaml.Node {
	if n, ok := s.over[key]; ok {
		return n
	}
	return lookup(s.meta, key)
}

func (s buildSource) where(n *yaml.Node) string {
	if n == nil {
		n = s.key
	}
	return fmt.Sprintf("%s:%d", s.t.Path, n.Line)
}

// read returns the function's build metadata: nil when sam build would not build its image
// (SkipBuild, or Dockerfile or DockerContext missing or empty). It refuses, naming the line,
// what sam build fails on: Dockerfile or DockerContext that is not a string, DockerBuildArgs
// that is not a mapping (null included), DockerTag or DockerBuildTarget that is not a scalar.
func (s buildSource) read() (*BuildMetadata, error) {
	if s.meta == nil || s.meta.Kind != yaml.MappingNode || truthy(s.get("SkipBuild")) {
		return nil, nil
	}
	str := func(key string) (string, error) {
		n := s.get(key)
		if n == nil || isNull(n) {
			return "", nil
		}
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!str" {
			return "", fmt.Errorf("%s: Metadata.%s of %s must be a string, found %s", s.where(n), key, s.owner, describe(n))
		}
		return n.Value, nil
	}
	dockerfile, err := str("Dockerfile")
	if err != nil {
		return nil, err
	}
	context, err := str("DockerContext")
	if err != nil {
		return nil, err
	}
	if dockerfile == "" || context == "" {
		return nil, nil // sam build skips it: "missing either Dockerfile or DockerContext"
	}
	b := &BuildMetadata{Dockerfile: dockerfile, Tag: "latest", Where: s.where(nil)}
	if !filepath.IsAbs(context) {
		context = filepath.Join(s.t.Dir(), context)
	}
	if b.Context, err = filepath.Abs(context); err != nil {
		return nil, fmt.Errorf("%s: resolve Metadata.DockerContext of %s: %w", b.Where, s.owner, err)
	}
	for key, dst := range map[string]*string{"DockerTag": &b.Tag, "DockerBuildTarget": &b.Target} {
		n := s.get(key)
		if n == nil || isNull(n) {
			continue
		}
		if n.Kind != yaml.ScalarNode || isTagged(n) {
			return nil, fmt.Errorf("%s: Metadata.%s of %s must be a string, found %s", s.where(n), key, s.owner, describe(n))
		}
		*dst = n.Value
	}
	if b.Args, err = s.args(); err != nil {
		return nil, err
	}
	return b, nil
}

// args reads DockerBuildArgs: a mapping of names to scalars.
func (s buildSource) args() (map[string]string, error) {
	n := s.get("DockerBuildArgs")
	if n == nil {
		return nil, nil
	}
	if n.Kind != yaml.MappingNode || isTagged(n) {
		return nil, fmt.Errorf("%s: Metadata.DockerBuildArgs of %s must be a mapping of names to values, found %s", s.where(n), s.owner, describe(n))
	}
	var out map[string]string
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if isNull(v) {
			continue
		}
		if v.Kind != yaml.ScalarNode || isTagged(v) {
			return nil, fmt.Errorf("%s: build argument %s in Metadata.DockerBuildArgs of %s must be a string, found %s", s.where(v), k.Value, s.owner, describe(v))
		}
		if out == nil {
			out = map[string]string{}
		}
		out[k.Value] = v.Value
	}
	return out, nil
}

// isTagged reports a node with an explicit tag of its own: an intrinsic's short form (!Ref,
// !Sub), which Metadata does not resolve.
func isTagged(n *yaml.Node) bool {
	_, short := intrinsic(n.Tag)
	return short
}

// describe names a value for an error: "a mapping", "!Ref Name", "the value 3".
func describe(n *yaml.Node) string {
	if isTagged(n) {
		if n.Kind == yaml.ScalarNode {
			return n.Tag + " " + n.Value
		}
		return n.Tag + " " + kindName(n)
	}
	return kindName(n)
}

// cdkBuildOverrides returns the Metadata keys SAM CLI's normalizer gives a CDK image asset,
// as nodes: Dockerfile and DockerContext (the asset's paths as pathlib writes them) and
// DockerBuildArgs (the asset's, or an empty mapping).
func cdkBuildOverrides(meta *yaml.Node) map[string]*yaml.Node {
	str := func(v string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v} }
	args := lookup(meta, "aws:asset:docker-build-args")
	if args == nil || isNull(args) {
		args = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	}
	return map[string]*yaml.Node{
		"Dockerfile":      str(pyPath(scalar(lookup(meta, "aws:asset:dockerfile-path")))),
		"DockerContext":   str(pyPath(scalar(lookup(meta, assetPathKey)))),
		"DockerBuildArgs": args,
	}
}

// keyOf returns the key node of key in mapping m, or nil.
func keyOf(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i]
		}
	}
	return nil
}

// BuildFunctions returns the functions of the tree sam build builds an image for (those with
// Build), in discovery order.
func (tr *Tree) BuildFunctions() []Function {
	var out []Function
	for _, f := range tr.Functions() {
		if f.Build != nil {
			out = append(out, f)
		}
	}
	return out
}
