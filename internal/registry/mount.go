package registry

import (
	"sync"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// placed remembers, for each layer pushed this run, a repository of the registry that holds
// it, so that other images with the same layer mount it from there instead of uploading it.
type placed struct {
	mu sync.Mutex
	at map[v1.Hash]name.Reference
}

func (p *placed) record(img v1.Image, ref name.Reference) {
	layers, err := img.Layers()
	if err != nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, l := range layers {
		if d, err := l.Digest(); err == nil {
			if _, ok := p.at[d]; !ok {
				p.at[d] = ref
			}
		}
	}
}

// mountable returns img with the layers already placed in the same registry as repo marked
// mountable from there; the registry mounts them, or answers with an upload when it does not
// mount (ECR without BLOB_MOUNTING), and then they are uploaded as usual.
func (p *placed) mountable(img v1.Image, repo name.Repository) v1.Image {
	p.mu.Lock()
	defer p.mu.Unlock()
	from := map[v1.Hash]name.Reference{}
	for d, ref := range p.at {
		if ref.Context().RegistryStr() == repo.RegistryStr() && ref.Context().RepositoryStr() != repo.RepositoryStr() {
			from[d] = ref
		}
	}
	if len(from) == 0 {
		return img
	}
	return &mountImage{Image: img, from: from}
}

// mountImage is an image whose placed layers are remote.MountableLayer.
type mountImage struct {
	v1.Image
	from map[v1.Hash]name.Reference
}

func (m *mountImage) Layers() ([]v1.Layer, error) {
	ls, err := m.Image.Layers()
	if err != nil {
		return nil, err
	}
	out := make([]v1.Layer, len(ls))
	for i, l := range ls {
		out[i] = m.wrap(l)
	}
	return out, nil
}

func (m *mountImage) LayerByDigest(h v1.Hash) (v1.Layer, error) {
	l, err := m.Image.LayerByDigest(h)
	if err != nil {
		return nil, err
	}
	return m.wrap(l), nil
}

func (m *mountImage) wrap(l v1.Layer) v1.Layer {
	d, err := l.Digest()
	if err != nil {
		return l
	}
	if ref, ok := m.from[d]; ok {
		return &remote.MountableLayer{Layer: l, Reference: ref}
	}
	return l
}

// seeds orders image groups so that, for every layer several images share, one image holding
// it comes in the first wave: the first wave uploads shared layers once, the second mounts them.
func seeds(order []*Image) (first, rest []*Image) {
	count := map[v1.Hash]int{}
	digests := map[*Image][]v1.Hash{}
	for _, img := range order {
		ls, err := img.Layers()
		if err != nil {
			continue
		}
		for _, l := range ls {
			if d, err := l.Digest(); err == nil {
				count[d]++
				digests[img] = append(digests[img], d)
			}
		}
	}
	covered := map[v1.Hash]bool{}
	for _, img := range order {
		seed := false
		for _, d := range digests[img] {
			if count[d] > 1 && !covered[d] {
				seed = true
			}
		}
		if !seed {
			rest = append(rest, img)
			continue
		}
		first = append(first, img)
		for _, d := range digests[img] {
			covered[d] = true
		}
	}
	return first, rest
}
