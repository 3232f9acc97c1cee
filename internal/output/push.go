package output

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/samship/samship/internal/images"
	"github.com/samship/samship/internal/registry"
)

// pushRecord is samship's record of one function's image in place: pushed, or found there.
type pushRecord struct {
	Type       string `json:"type"`
	Function   string `json:"function"`
	Image      string `json:"image"`
	Repository string `json:"repository"`
	Tag        string `json:"tag"`
	Digest     string `json:"digest"`
	Pushed     bool   `json:"pushed"`
	// BytesSent are the bytes uploaded for the image: a blob shared with another image of
	// the same repository is counted once, with the first image whose record follows it.
	BytesSent int64 `json:"bytes_sent"`
}

// Pushes follows the pushes: one push record per image, when it is in place.
func (j *JSON) Pushes(functions []string, atOnce int, noProgressBar bool, now func() time.Time) images.Pushes {
	return &pushes{j: j, sent: map[string]*atomic.Int64{}}
}

type pushes struct {
	j    *JSON
	mu   sync.Mutex
	sent map[string]*atomic.Int64 // by repository, bytes sent not yet in a record
}

func (p *pushes) counter(repo string) *atomic.Int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	c := p.sent[repo]
	if c == nil {
		c = &atomic.Int64{}
		p.sent[repo] = c
	}
	return c
}

func (p *pushes) Sending(repo string, total int64) registry.Upload { return upload{p.counter(repo)} }

func (p *pushes) Reading(refs []string, total int64) registry.Read { return upload{&atomic.Int64{}} }

func (p *pushes) Result(function, source, ref, digest string, pushed bool) {
	rec := pushRecord{Type: "push", Function: function, Image: source, Repository: ref, Digest: digest, Pushed: pushed}
	if t, err := name.NewTag(ref); err == nil {
		rec.Repository, rec.Tag = t.Context().String(), t.TagStr()
		rec.BytesSent = p.counter(t.RepositoryStr()).Swap(0)
	}
	p.j.record(rec)
}

func (p *pushes) Done() {}
func (p *pushes) Stop() {}

// upload counts the bytes of one upload into its repository's count.
type upload struct{ n *atomic.Int64 }

func (u upload) Add(n int64)        { u.n.Add(n) }
func (u upload) Done(bool)          {}
func (u upload) Compressed(n int64) {}
