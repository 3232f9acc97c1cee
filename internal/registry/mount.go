package registry

import (
	"context"
	"sync"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// blobs knows, for one run, which repositories hold which blobs, so that each blob is sent
// to a registry once: a push that needs a blob another push is sending waits for it and then
// mounts it, and a repository that holds a blob is not asked again.
type blobs struct {
	mu       sync.Mutex
	held     map[v1.Hash][]name.Repository
	sending  map[v1.Hash]*sending
	sent     map[v1.Hash]bool // blobs this run uploaded: new to the registry
	noMounts map[string]bool  // registries that answered a mount with an upload
}

type sending struct {
	repo name.Repository
	done chan struct{}
}

func newBlobs() *blobs {
	return &blobs{held: map[v1.Hash][]name.Repository{}, sending: map[v1.Hash]*sending{}, sent: map[v1.Hash]bool{}, noMounts: map[string]bool{}}
}

// step is what a push does to get a blob into its repository.
type step int

const (
	have  step = iota // the repository holds it
	mount             // mount it from another repository of the registry
	send              // look for it and send it; call landed or abandon afterwards
)

// next decides how blob d gets into repo, waiting while another push sends it. With mount,
// from is the repository to mount from.
func (b *blobs) next(ctx context.Context, d v1.Hash, repo name.Repository) (step, name.Repository, error) {
	for {
		b.mu.Lock()
		var from *name.Repository
		for _, r := range b.held[d] {
			if r == repo {
				b.mu.Unlock()
				return have, name.Repository{}, nil
			}
			if from == nil && r.RegistryStr() == repo.RegistryStr() {
				from = &r
			}
		}
		mounts := !b.noMounts[repo.RegistryStr()]
		if s := b.sending[d]; s != nil && (s.repo == repo || (mounts && s.repo.RegistryStr() == repo.RegistryStr())) {
			b.mu.Unlock()
			select {
			case <-s.done:
				continue
			case <-ctx.Done():
				return 0, name.Repository{}, ctx.Err()
			}
		}
		if from != nil && mounts {
			b.mu.Unlock()
			return mount, *from, nil
		}
		if b.sending[d] == nil {
			b.sending[d] = &sending{repo: repo, done: make(chan struct{})}
		}
		b.mu.Unlock()
		return send, name.Repository{}, nil
	}
}

// landed records that repo holds d, and ends a send of d to repo.
func (b *blobs) landed(d v1.Hash, repo name.Repository) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.held[d] = append(b.held[d], repo)
	b.finish(d, repo)
}

// uploaded records that the run sent d's bytes: no repository had it before.
func (b *blobs) uploaded(d v1.Hash) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.sent[d] = true
}

// old reports whether d was in the registry before the run (held, and not sent by it): a
// base layer, which the other repositories of a redeployed app most likely hold too.
func (b *blobs) old(d v1.Hash) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return !b.sent[d]
}

// abandon ends a send of d to repo that failed: the pushes waiting for it try themselves.
func (b *blobs) abandon(d v1.Hash, repo name.Repository) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.finish(d, repo)
}

func (b *blobs) finish(d v1.Hash, repo name.Repository) {
	if s := b.sending[d]; s != nil && s.repo == repo {
		close(s.done)
		delete(b.sending, d)
	}
}

// refusedMount records that repo's registry does not mount blobs (ECR without blob mounting
// enabled): its pushes send every blob themselves and stop waiting for each other.
func (b *blobs) refusedMount(repo name.Repository) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.noMounts[repo.RegistryStr()] = true
}
