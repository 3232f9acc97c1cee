package registry

import "io"

// Reporter hears of a push as it goes; ui's push view shows it.
type Reporter interface {
	// Sending starts following an image's bytes to repo, total of them at most (mounted and
	// present blobs are never read); the Upload returned hears them.
	Sending(repo string, total int64) Upload
	// Result says an image is in place at ref, its manifest's digest: pushed, or already
	// there.
	Result(function, source, ref, digest string, pushed bool)
	// Reading starts following the read of images from an engine (refs, total bytes about).
	Reading(refs []string, total int64) Read
}

// Read follows one read of images from an engine.
type Read interface {
	// Add counts n bytes read; Done ends the read.
	Upload
	// Compressed counts n bytes of layers compressed: those the registry may lack. The others
	// are only checked.
	Compressed(n int64)
}

// Upload follows one image's bytes.
type Upload interface {
	// Add counts n bytes read for upload.
	Add(n int64)
	// Done ends the image's upload, failed or not.
	Done(failed bool)
}

// quiet hears nothing: a Pusher without a Reporter.
type quiet struct{}

func (quiet) Sending(string, int64) Upload                { return quiet{} }
func (quiet) Result(string, string, string, string, bool) {}
func (quiet) Reading([]string, int64) Read                { return quiet{} }
func (quiet) Compressed(int64)                            {}
func (quiet) Add(int64)                                   {}
func (quiet) Done(bool)                                   {}

// countBytes returns r counting what is read from it on up.
func countBytes(r io.Reader, up Upload) io.Reader { return &countingReader{r: r, up: up} }

type countingReader struct {
	r  io.Reader
	up Upload
}

func (c *countingReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.up.Add(int64(n))
	return n, err
}
