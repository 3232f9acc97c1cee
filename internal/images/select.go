// Package images owns the image stage of a run: which functions' images samship pushes, then
// reading each of them whole and verifying it before anything changes in AWS, the references
// they will be pushed as, the push itself, and the check after a deploy that they are still in
// their registries. It knows nothing of stacks: deploy and package use it, and so can a command
// that pushes without deploying.
package images

import (
	"context"
	"errors"
	"fmt"

	"github.com/samship/samship/internal/imageref"
	"github.com/samship/samship/internal/registry"
	"github.com/samship/samship/internal/template"
)

// Select returns the image functions of fns whose image samship pushes (a file, a directory,
// another registry's image or an engine's), in order. A function whose ImageUri is in ECR
// already (SAM CLI's test) or is an intrinsic CloudFormation resolves is deployed as it is.
// Select refuses, before anything runs, what cannot be deployed: a function without an
// image, a path to nothing, a name engine (nil: none reachable) does not have. A file that is
// neither regular nor a directory is refused by Open.
func Select(ctx context.Context, fns []template.Function, engine *registry.Engine) ([]template.Function, error) {
	var push []template.Function
	for _, f := range fns {
		if !f.Image {
			continue
		}
		switch {
		case f.MisplacedImageURI && f.ImageURI == "":
			return nil, fmt.Errorf("%s: function %s has ImageUri under Properties; an AWS::Lambda::Function takes its image as Code.ImageUri", f.Where, f.FullPath)
		case f.ImageURIIntrinsic:
			continue // resolved by CloudFormation at deploy time
		case f.ImageURI == "":
			return nil, fmt.Errorf("%s: function %s has no %s; build it with sam build, or set it to an image", f.Where, f.FullPath, f.ImageProperty())
		case imageref.IsSAMECR(f.ImageURI):
			continue // already in ECR: deployed as it is, as SAM CLI does
		}
		src := registry.SourceOf(f.ImageURI, f.Template().Dir(), engine)
		switch src.Kind {
		case registry.SourceMissing, registry.SourceNowhere:
			return nil, fmt.Errorf("%s: %w", f.Where, src.Err(f.FullPath))
		case registry.SourceEngine:
			if _, err := engine.Inspect(ctx, f.ImageURI); errors.Is(err, registry.ErrImageNotFound) {
				return nil, fmt.Errorf("%s: function %s: %w", f.Where, f.FullPath, err)
			} else if err != nil {
				return nil, fmt.Errorf("%s: function %s: image %s: %w", f.Where, f.FullPath, f.ImageURI, err)
			}
		}
		push = append(push, f)
	}
	return push, nil
}
