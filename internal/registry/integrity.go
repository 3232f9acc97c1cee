package registry

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"regexp"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// expectedDigest is the digest img's manifest must hash to: the one its layout names it by,
// else the one go-containerregistry computes.
func (img *Image) expectedDigest() (v1.Hash, error) {
	if n, ok := img.Image.(*named); ok {
		return n.digest, nil
	}
	return img.Digest()
}

// verifying passes r's bytes through and fails, withholding its bytes, the read that
// completes the blob's size when the bytes do not hash to want (or that ends the blob short of
// size, or runs past it): a request sending them is aborted before the last byte goes, so the
// push path never sends a whole blob that does not match its digest, whatever the registry
// checks.
func verifying(r io.Reader, want v1.Hash, size int64) io.Reader {
	return &verifyReader{r: r, want: want, size: size, h: sha256.New()}
}

type verifyReader struct {
	r    io.Reader
	want v1.Hash
	size int64
	n    int64
	h    hash.Hash
}

func (v *verifyReader) Read(p []byte) (int, error) {
	n, err := v.r.Read(p)
	v.h.Write(p[:n])
	v.n += int64(n)
	if v.n > v.size || v.n == v.size && n > 0 || errors.Is(err, io.EOF) && v.n != v.size {
		if got := "sha256:" + hex.EncodeToString(v.h.Sum(nil)); got != v.want.String() || v.n != v.size {
			return 0, fmt.Errorf("blob %s: its %d bytes hash to %s, not the %d bytes it names; not sent", v.want, v.n, got, v.size)
		}
	}
	return n, err
}

// queryInURL matches the query of a URL in a message: upload locations carry the registry's
// upload state, and registries that redirect uploads to signed storage URLs carry credentials.
var queryInURL = regexp.MustCompile(`(https?://[^\s?"]+)\?[^\s"]*`)

// redact returns err with every URL query in its message replaced by "?…"; errors.As and
// errors.Is still see the original.
func redact(err error) error {
	if err == nil {
		return nil
	}
	msg := queryInURL.ReplaceAllString(err.Error(), "$1?…")
	if msg == err.Error() {
		return err
	}
	return &redacted{err: err, msg: msg}
}

type redacted struct {
	err error
	msg string
}

func (r *redacted) Error() string { return r.msg }
func (r *redacted) Unwrap() error { return r.err }
