package watch

import (
	"context"
	"errors"
	"slices"
	"sync"
)

// Watcher starts watching roots: Poller in samship, Manual in tests of code that reacts to
// changes (such as sync --watch).
type Watcher interface {
	Watch(ctx context.Context, roots []Root, opts Options) (<-chan Change, error)
}

// Poller is the Watcher that polls the file system: its Watch is the package's Watch.
type Poller struct{}

// Watch is the package's Watch.
func (Poller) Watch(ctx context.Context, roots []Root, opts Options) (<-chan Change, error) {
	return Watch(ctx, roots, opts)
}

// Manual is the test double Watcher: it watches nothing, and its channel carries what the
// test passes to Send. The zero value is ready to use.
type Manual struct {
	// Err, when set, is what Watch returns.
	Err error

	mu      sync.Mutex
	started chan struct{} // closed by the first Watch
	cur     *manualWatch  // the latest Watch
}

// manualWatch is one Watch of a Manual: Send hands a Change to run, run to the receiver.
type manualWatch struct {
	roots []Root
	opts  Options
	in    chan Change
	ack   chan struct{} // the receiver took the Change
	done  <-chan struct{}
}

var _ Watcher = (*Manual)(nil)

// errEnded is Send's error when the watch ends first.
var errEnded = errors.New("send change: the watch ended")

func (m *Manual) startedLocked() chan struct{} {
	if m.started == nil {
		m.started = make(chan struct{})
	}
	return m.started
}

// Watch records roots and opts (see Roots and Options) and returns the channel Send sends on,
// closed when ctx is done. It returns m.Err instead when that is set.
func (m *Manual) Watch(ctx context.Context, roots []Root, opts Options) (<-chan Change, error) {
	if m.Err != nil {
		return nil, m.Err
	}
	w := &manualWatch{
		roots: slices.Clone(roots),
		opts:  opts,
		in:    make(chan Change),
		ack:   make(chan struct{}, 1),
		done:  ctx.Done(),
	}
	out := make(chan Change)
	go w.run(ctx, out)
	m.mu.Lock()
	m.cur = w
	started := m.startedLocked()
	select {
	case <-started:
	default:
		close(started)
	}
	m.mu.Unlock()
	return out, nil
}

func (w *manualWatch) run(ctx context.Context, out chan<- Change) {
	defer close(out)
	for {
		select {
		case <-ctx.Done():
			return
		case c := <-w.in:
			select {
			case out <- c:
				w.ack <- struct{}{}
			case <-ctx.Done():
				return
			}
		}
	}
}

// Send waits for a Watch (the latest one, if there were several) and sends c on its channel,
// returning once the receiver has taken it, or an error if that watch ends first.
func (m *Manual) Send(c Change) error {
	m.mu.Lock()
	started := m.startedLocked()
	m.mu.Unlock()
	<-started
	m.mu.Lock()
	w := m.cur
	m.mu.Unlock()
	select {
	case w.in <- c:
	case <-w.done:
		return errEnded
	}
	select {
	case <-w.ack:
		return nil
	case <-w.done:
		select {
		case <-w.ack:
			return nil
		default:
			return errEnded
		}
	}
}

// Roots is what the latest Watch was given; nil before any.
func (m *Manual) Roots() []Root {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.cur == nil {
		return nil
	}
	return slices.Clone(m.cur.roots)
}

// Options is what the latest Watch was given; the zero value before any.
func (m *Manual) Options() Options {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.cur == nil {
		return Options{}
	}
	return m.cur.opts
}
