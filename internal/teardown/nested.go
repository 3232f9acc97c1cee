package teardown

import (
	"context"
	"fmt"

	"github.com/samship/samship/internal/template"
)

// nestedArtifacts returns the S3 objects the nested templates of tpl name, read from S3 and
// in turn their own nested templates': what the application's nested stacks were packaged
// with (their code, their children's templates). A nested template that cannot be read is
// passed over: its own object is still among tpl's. Each template is read once (seen), so
// templates naming each other end; those read go into res.
func nestedArtifacts(ctx context.Context, e Env, tpl *template.Template, seen map[template.S3Object]bool, res *Result) ([]template.S3Object, error) {
	var out []template.S3Object
	for _, id := range tpl.NestedStacks() {
		url, ok := tpl.NestedLocation(id)
		if !ok {
			continue
		}
		obj, ok := template.ObjectAt(url, e.S3Endpoint)
		if !ok || seen[obj] {
			continue
		}
		seen[obj] = true
		body, err := e.Objects.Get(ctx, obj.Bucket, obj.Key, template.MaxSize)
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if err != nil {
			continue
		}
		child, err := template.Parse(fmt.Sprintf("s3://%s/%s", obj.Bucket, obj.Key), body)
		if err != nil {
			continue
		}
		res.NestedTemplates = append(res.NestedTemplates, Object{Bucket: obj.Bucket, Key: obj.Key})
		out = append(out, child.S3Artifacts(e.S3Endpoint)...)
		deeper, err := nestedArtifacts(ctx, e, child, seen, res)
		if err != nil {
			return nil, err
		}
		out = append(out, deeper...)
	}
	return out, nil
}

// dedupe drops objects named twice (a nested template uploaded once for two stacks, code
// shared by functions), keeping the first.
func dedupe(objs []template.S3Object) []template.S3Object {
	seen := map[template.S3Object]bool{}
	var out []template.S3Object
	for _, o := range objs {
		if !seen[o] {
			seen[o] = true
			out = append(out, o)
		}
	}
	return out
}
