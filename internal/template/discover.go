package template

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/samship/samship/internal/imageref"
)

// Resource types SAM CLI treats as functions.
const (
	ServerlessFunction = "AWS::Serverless::Function"
	LambdaFunction     = "AWS::Lambda::Function"
)

// Function is one Lambda function found in a template tree.
type Function struct {
	// FullPath identifies the function across nested stacks: "Fn", "Child/Fn".
	FullPath string
	// ID is SAM CLI's resource id: Metadata.SamResourceId when set, else the id in CDK's
	// aws:cdk:path metadata, else the logical id.
	ID        string
	LogicalID string
	Type      string
	// Image reports PackageType Image (after Globals and parameters).
	Image bool
	// ImageURI is the resolved ImageUri (Code.ImageUri for Lambda); empty when absent.
	ImageURI string
	// ImageURIIntrinsic reports an ImageUri that is an intrinsic samship cannot resolve.
	ImageURIIntrinsic bool
	// Architecture is the function's Architectures ("x86_64" or "arm64", after Globals and
	// parameters); "" when the template names none (Lambda's default, x86_64).
	Architecture string
	// AutoPublishAlias is the SAM function's AutoPublishAlias (after Globals and parameters):
	// the alias the SAM transform publishes a version for and points at it on each code
	// change; "" when absent, null or empty, and for an AWS::Lambda::Function.
	AutoPublishAlias string
	// AutoPublishAliasIntrinsic reports an AutoPublishAlias samship cannot resolve: a Ref to
	// a parameter without a value, or an intrinsic other than Ref (which SAM refuses).
	AutoPublishAliasIntrinsic bool
	// SAMRepo reports an image function SAM CLI's companion stack has a repository for: its
	// image location, resolved with parameter defaults only (SAM CLI's sync_ecr_stack passes
	// no overrides), is not an ECR URI, or it has a DockerContext.
	SAMRepo bool
	// DockerContext reports a non-empty Metadata.DockerContext.
	DockerContext bool
	// DockerTag and DockerImage are Metadata.DockerTag and .DockerImage: the tag and name sam
	// build gives the function's image.
	DockerTag, DockerImage string
	// MisplacedImageURI reports an AWS::Lambda::Function with ImageUri directly under
	// Properties, where Lambda does not read it (it belongs under Code).
	MisplacedImageURI bool
	// Build is what sam build builds the function's image from: set for an image function
	// whose Metadata (or CDK image asset) has both Dockerfile and DockerContext, unless
	// SkipBuild; nil otherwise.
	Build *BuildMetadata
	// Where is "file:line" of the resource.
	Where string

	uri       *yaml.Node // the function's own ImageUri node, for rewriting (in a loop: the body's)
	codeAsset bool       // uri is the whole Code of a CDK image asset, rewritten as {ImageUri: ...}
	tpl       *Template  // the template the function is defined in
	gen       *generated // the Fn::ForEach that generates the function, or nil
	res       *yaml.Node // the resource (for a generated one, its expanded copy)
}

// Loop names the Fn::ForEach that generates the function ("Fn::ForEach::Services"), or ""
// for a function written as it is.
func (f Function) Loop() string {
	if f.gen == nil {
		return ""
	}
	return f.gen.loops[len(f.gen.loops)-1].key.Value
}

// BuildName is the name sam build gives the function's image: Metadata.DockerImage, else the
// logical id, lower-cased.
func (f Function) BuildName() string {
	if f.DockerImage != "" {
		return strings.ToLower(f.DockerImage)
	}
	return strings.ToLower(f.LogicalID)
}

// ImageProperty names where the function's image is given: Code.ImageUri for Lambda's own
// type, ImageUri for SAM's.
func (f Function) ImageProperty() string {
	if f.Type == LambdaFunction {
		return "Code.ImageUri"
	}
	return "ImageUri"
}

// Managed reports whether SAM CLI gives this function a companion repository: an image
// function whose image location is not already an ECR URI, unless it has a DockerContext.
func (f Function) Managed() bool {
	return f.Image && (!imageref.IsSAMECR(f.ImageURI) || f.DockerContext)
}

// Stack is one template of the tree with its stack path ("" for the root).
type Stack struct {
	Path string
	// LogicalID is the nested stack's resource in its parent ("" for the root).
	LogicalID string
	Template  *Template
	Functions []Function
	// Parent is the stack this one is nested in (nil for the root).
	Parent *Stack

	loc *yaml.Node // the TemplateURL or Location naming this template in the parent
}

// LocationEdit points the nested stack's TemplateURL (or Location) at url.
func (s *Stack) LocationEdit(url string) Edit {
	q, _ := json.Marshal(url)
	return Edit{tpl: s.Parent.Template, node: s.loc, text: string(q), what: "the template of nested stack " + s.Path}
}

// Tree holds every stack SAM CLI can see from a root template, in discovery order: the root,
// then children depth first.
type Tree struct {
	Stacks []*Stack
}

// Discover walks root and its local nested stacks. Parameter overrides apply to the root;
// children get the values their parent passes in Parameters.
func Discover(root *Template, overrides map[string]string, region string) (*Tree, error) {
	tr := &Tree{}
	if err := tr.walk(root, nil, nil, "", "", overrides, region, map[string]bool{}); err != nil {
		return nil, err
	}
	return tr, nil
}

func (tr *Tree) walk(t *Template, parent *Stack, loc *yaml.Node, logical, stackPath string, overrides map[string]string, region string, chain map[string]bool) error {
	abs, _ := filepath.Abs(t.Path)
	if chain[abs] {
		return fmt.Errorf("%s: nested stacks include themselves", t.Path)
	}
	chain[abs] = true
	defer delete(chain, abs)

	if err := checkGlobals(t); err != nil {
		return err
	}
	sc := newScope(t, overrides, region)
	defaults := sc // what SAM CLI's companion stack sees: the root without overrides
	if parent == nil {
		defaults = newScope(t, nil, region)
	}
	entries, err := t.entries(sc)
	if err != nil {
		return err
	}
	if _, err := t.localArtifacts(sc); err != nil {
		return err
	}
	t.scope = &sc
	if res := lookup(t.root, "Resources"); len(entries) > MaxResources {
		return fmt.Errorf("%s:%d: the template has %d resources, more than the %d CloudFormation allows in a stack", t.Path, res.Line, len(entries), MaxResources)
	}
	st := &Stack{Path: stackPath, LogicalID: logical, Template: t, Parent: parent, loc: loc}
	tr.Stacks = append(tr.Stacks, st)
	globals := lookup(lookup(t.root, "Globals"), "Function")
	type child struct {
		logical, path, file string
		params              map[string]string
		where               string
		loc                 *yaml.Node
	}
	var children []child
	for _, e := range entries {
		logical, r := e.logical, e.res
		typ := lookup(r, "Type").Value
		props := lookup(r, "Properties")
		meta := lookup(r, "Metadata")
		id := resourceID(logical, typ, meta)
		where := fmt.Sprintf("%s:%d", t.Path, e.key.Line)
		asset, replaced, err := assetOf(t.Path, logical, r)
		if err != nil {
			return err
		}
		switch typ {
		case ServerlessFunction, LambdaFunction:
			f := Function{FullPath: joinPath(stackPath, id), ID: id, LogicalID: logical, Type: typ, Where: where, tpl: t, gen: e.gen, res: r}
			prop := func(name string) *yaml.Node {
				if v := lookup(props, name); v != nil {
					return v
				}
				if typ == ServerlessFunction {
					return lookup(globals, name)
				}
				return nil
			}
			pt, _ := sc.str(prop("PackageType"))
			f.Image = pt == "Image"
			var global *yaml.Node
			if typ == ServerlessFunction {
				global = lookup(globals, "Architectures")
			}
			arch, line, err := sc.architecture(lookup(props, "Architectures"), global)
			if err != nil {
				return fmt.Errorf("%s:%d: function %s: %w", t.Path, line, joinPath(stackPath, id), err)
			}
			f.Architecture = arch
			if typ == ServerlessFunction {
				f.AutoPublishAlias, f.AutoPublishAliasIntrinsic = sc.autoPublishAlias(lookup(props, "AutoPublishAlias"), lookup(globals, "AutoPublishAlias"))
			}
			uri := lookup(props, "ImageUri")
			if typ == LambdaFunction {
				f.MisplacedImageURI = uri != nil
				uri = lookup(lookup(props, "Code"), "ImageUri")
			}
			samURI := ""
			if uri != nil {
				v, ok := sc.str(uri)
				f.ImageURI, f.ImageURIIntrinsic, f.uri = v, !ok, uri
				samURI, _ = defaults.str(uri)
				if e.gen != nil { // rewritten in the loop body, as written
					f.uri = e.gen.bodyProp(f.ImageProperty())
				}
			}
			if dc := lookup(meta, "DockerContext"); dc != nil && dc.Kind == yaml.ScalarNode && dc.Value != "" {
				f.DockerContext = true
			}
			f.SAMRepo = f.Image && (!imageref.IsSAMECR(samURI) || f.DockerContext)
			if tag := lookup(meta, "DockerTag"); tag != nil && tag.Kind == yaml.ScalarNode {
				f.DockerTag = tag.Value
			}
			if img := lookup(meta, "DockerImage"); img != nil && img.Kind == yaml.ScalarNode {
				f.DockerImage = img.Value
			}
			cdkImage := replaced && asset.image && typ == LambdaFunction
			if cdkImage {
				if err := f.useImageAsset(asset); err != nil {
					return err
				}
			}
			if f.Image {
				src := buildSource{t: t, key: keyOf(r, "Metadata"), meta: meta, owner: "function " + f.FullPath}
				if cdkImage {
					src.over = cdkBuildOverrides(meta)
				}
				if f.Build, err = src.read(); err != nil {
					return err
				}
			}
			st.Functions = append(st.Functions, f)
		case "AWS::CloudFormation::Stack", "AWS::Serverless::Application":
			key := "TemplateURL"
			if typ == "AWS::Serverless::Application" {
				key = "Location"
			}
			loc := lookup(props, key)
			value := ""
			switch {
			case replaced && asset.replaces(key) && loc != nil:
				value = asset.path // a CDK nested stack: its template is the asset
			case loc == nil || loc.Kind != yaml.ScalarNode || loc.Tag == "!Ref" || loc.Tag == "!Sub":
				continue // intrinsics and SAR applications are invisible, as in SAM CLI
			default:
				value = loc.Value
			}
			file, ok := localPath(value)
			if !ok {
				continue
			}
			if e.gen != nil {
				return fmt.Errorf("%s: nested stack %s is generated by %s from the local template %s: samship packages local nested templates only outside Fn::ForEach (upload it and give its https URL)", where, logical, e.gen.loops[0].key.Value, loc.Value)
			}
			if !filepath.IsAbs(file) {
				file = filepath.Join(t.Dir(), file)
			}
			params := map[string]string{}
			if ps := lookup(props, "Parameters"); ps != nil && ps.Kind == yaml.MappingNode {
				for j := 0; j+1 < len(ps.Content); j += 2 {
					if v, ok := sc.str(ps.Content[j+1]); ok {
						params[ps.Content[j].Value] = v
					}
				}
			}
			children = append(children, child{logical, joinPath(stackPath, id), file, params, fmt.Sprintf("%s:%d", t.Path, loc.Line), loc})
		}
	}
	for _, c := range children {
		ct, err := Load(c.file)
		if err != nil {
			return fmt.Errorf("%s: nested stack %s: %w", c.where, c.path, err)
		}
		if err := tr.walk(ct, st, c.loc, c.logical, c.path, c.params, region, chain); err != nil {
			return err
		}
	}
	return nil
}

// resourceID is SAM CLI's id of a resource: a non-empty Metadata.SamResourceId, else the
// construct id in CDK's aws:cdk:path ("Stack/Fn/Resource" or "Stack/Fn"; a nested stack's
// "Stack/Child.NestedStack/Child.NestedStackResource" gives "Child"), else the logical id.
func resourceID(logical, typ string, meta *yaml.Node) string {
	if sid := lookup(meta, "SamResourceId"); sid != nil && sid.Kind == yaml.ScalarNode && sid.Tag != "!!null" && sid.Value != "" {
		return sid.Value
	}
	cdk := lookup(meta, "aws:cdk:path")
	if cdk == nil || cdk.Kind != yaml.ScalarNode || cdk.Value == "" {
		return logical
	}
	parts := strings.Split(cdk.Value, "/")
	if len(parts) < 2 || len(parts) > 3 {
		return logical
	}
	const nested = ".NestedStack"
	id := parts[len(parts)-1]
	last2 := parts[len(parts)-2]
	if id == "Resource" || (typ == "AWS::CloudFormation::Stack" && strings.HasSuffix(last2, nested)) {
		id = last2
	}
	if typ == "AWS::CloudFormation::Stack" {
		id = strings.TrimSuffix(id, nested)
	}
	return id
}

// localPath reports whether a nested stack location is a local file, and its path.
func localPath(loc string) (string, bool) {
	if loc == "" {
		return "", false
	}
	for _, p := range []string{"s3://", "http://", "https://"} {
		if strings.HasPrefix(loc, p) {
			return "", false
		}
	}
	return strings.TrimPrefix(loc, "file://"), true
}

func joinPath(stack, id string) string {
	if stack == "" {
		return id
	}
	return stack + "/" + id
}

// Functions returns every function of the tree in discovery order.
func (tr *Tree) Functions() []Function {
	var out []Function
	for _, s := range tr.Stacks {
		out = append(out, s.Functions...)
	}
	return out
}

// ImageFunctions returns the functions that get a managed repository (see Function.Managed).
func (tr *Tree) ImageFunctions() []Function {
	var out []Function
	for _, f := range tr.Functions() {
		if f.Managed() {
			out = append(out, f)
		}
	}
	return out
}

// SAMRepoOnly returns the full paths of the functions SAM CLI's companion stack has a
// repository for although samship pushes no image for them: an ImageUri that is an ECR URI
// only with the parameter overrides given. Their repositories are kept when they exist, so
// that sam deploy does not create again what samship deleted.
func (tr *Tree) SAMRepoOnly() []string {
	var out []string
	for _, f := range tr.Functions() {
		if f.SAMRepo && !f.Managed() {
			out = append(out, f.FullPath)
		}
	}
	return out
}

// ResolveKey maps a user-given function key ("Fn" or "Child/Fn") to a full path as SAM CLI
// does: split at the last "/" into a stack path and an id; with a stack path only that stack
// is searched, without one every stack in discovery order; a function matches by its id
// (SamResourceId) or, when it has none, by its logical id.
func (tr *Tree) ResolveKey(key string) (string, bool) {
	stackPath, id := "", key
	scoped := false
	if i := strings.LastIndexByte(key, '/'); i >= 0 {
		stackPath, id, scoped = key[:i], key[i+1:], true
	}
	for _, s := range tr.Stacks {
		if scoped && s.Path != stackPath {
			continue
		}
		for _, f := range s.Functions {
			if f.ID == id || (!scoped && f.LogicalID == id) {
				return f.FullPath, true
			}
		}
	}
	return "", false
}
