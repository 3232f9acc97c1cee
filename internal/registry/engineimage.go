package registry

import (
	"context"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// engineSource is an image in an engine, known by what the engine says of it.
type engineSource struct {
	e    *Engine
	info *EngineImage
}

// fromEngine asks the engine about its image ref, for a function of architecture arch, and
// refuses (with a *platformError) an image built for another platform.
func (o *Opener) fromEngine(ctx context.Context, ref, arch string) (*engineSource, error) {
	info, err := o.Engine.Inspect(ctx, ref)
	if err != nil {
		return nil, err
	}
	want := PlatformOf(arch)
	if info.OS != "" && info.Architecture != "" && (info.OS != want.OS || info.Architecture != want.Architecture) {
		return nil, &platformError{holds: platformString(v1.Platform{OS: info.OS, Architecture: info.Architecture, Variant: info.Variant})}
	}
	return &engineSource{e: o.Engine, info: info}, nil
}
