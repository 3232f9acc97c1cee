package awsclient

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// Clock tells the time by AWS's clock: the Date header of the latest AWS response, advanced
// by the local time elapsed since it arrived. Ages of stacks and images are computed against
// it, so a machine whose clock is a day off judges them as AWS does. Until a response carried
// a Date it is the local clock.
type Clock struct {
	// Local is the machine's clock (time.Now when nil).
	Local func() time.Time

	mu       sync.Mutex
	aws      time.Time // Date of the latest response
	received time.Time // local time it arrived, with its monotonic reading
}

// Now returns AWS's current time, or the local time when no AWS response told it.
func (c *Clock) Now() time.Time {
	local := c.local()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.aws.IsZero() {
		return local
	}
	return c.aws.Add(local.Sub(c.received))
}

// Observe records the Date of a response received at the local time now; a missing or
// unreadable Date changes nothing.
func (c *Clock) Observe(date string, now time.Time) {
	t, err := http.ParseTime(date)
	if err != nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.aws, c.received = t, now
}

func (c *Clock) local() time.Time {
	if c.Local != nil {
		return c.Local()
	}
	return time.Now()
}

// install records the Date of every response that the SDK deserialises (errors too: an
// error response is AWS's answer as well).
func (c *Clock) install(st *middleware.Stack) error {
	return st.Deserialize.Add(middleware.DeserializeMiddlewareFunc("samshipClock",
		func(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (middleware.DeserializeOutput, middleware.Metadata, error) {
			out, md, err := next.HandleDeserialize(ctx, in)
			if resp, ok := out.RawResponse.(*smithyhttp.Response); ok && resp != nil && resp.Response != nil {
				c.Observe(resp.Header.Get("Date"), c.local())
			}
			return out, md, err
		}), middleware.Before)
}
