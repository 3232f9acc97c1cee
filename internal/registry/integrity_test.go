package registry

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/random"
)

func TestVerifying(t *testing.T) {
	good := bytes.Repeat([]byte("layer"), 5000)
	d := v1.Hash{Algorithm: "sha256", Hex: fmt.Sprintf("%x", sha256.Sum256(good))}
	tests := map[string]struct {
		body     []byte
		wantErr  bool
		withheld bool // the read completing the size fails, so not all size bytes go out
	}{
		"matching":         {good, false, false},
		"other bytes":      {bytes.Repeat([]byte("LAYER"), 5000), true, true},
		"short":            {good[:100], true, false},
		"longer than said": {append(append([]byte{}, good...), 'x'), true, false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			// As an HTTP client sends a body of ContentLength bytes: that many, then a look
			// for more.
			size := int64(len(good))
			r := verifying(bytes.NewReader(tc.body), d, size)
			var sent bytes.Buffer
			_, err := io.Copy(&sent, io.LimitReader(r, size))
			if err == nil {
				_, err = io.Copy(io.Discard, r)
			}
			if tc.wantErr != (err != nil) {
				t.Fatalf("err = %v, want an error: %v", err, tc.wantErr)
			}
			if tc.withheld && int64(sent.Len()) >= size {
				t.Errorf("all %d bytes of a mismatching blob were let through", sent.Len())
			}
		})
	}
}

func TestRedact(t *testing.T) {
	inner := &url.Error{Op: "Put", URL: "https://registry.example/v2/app/blobs/uploads/abc?_state=SECRET&digest=sha256%3Aab", Err: io.ErrUnexpectedEOF}
	err := redact(inner)
	if strings.Contains(err.Error(), "SECRET") || !strings.Contains(err.Error(), "https://registry.example/v2/app/blobs/uploads/abc?…") {
		t.Errorf("redact() = %q", err)
	}
	var ue *url.Error
	if !errors.As(err, &ue) || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("redact() hides the error's type")
	}
	plain := errors.New("no url here")
	if got := redact(plain); got.Error() != plain.Error() || !errors.Is(got, plain) {
		t.Errorf("redact() changed an error without a URL query")
	}
}

// TestPushRefusesAManifestNotItsDigest pushes, without the check before the run, a layout
// whose manifest was swapped for another image's: the push path refuses it too.
func TestPushRefusesAManifestNotItsDigest(t *testing.T) {
	other, err := random.Image(100, 1)
	if err != nil {
		t.Fatal(err)
	}
	otherManifest, _ := other.RawManifest()
	dir := brokenLayout(t, func(_, _, _, manifest string) { os.WriteFile(manifest, otherManifest, 0o644) }, other)
	o := &Opener{Scratch: NewScratch(t.TempDir())}
	img, err := o.Open(context.Background(), dir, "Fn", "")
	if err != nil {
		t.Fatal(err)
	}
	_, rt := countingRegistry(t)
	p := &Pusher{Access: Access{Transport: rt, Keychain: NewKeychain(&fakeToken{})}, Jobs: 1}
	_, err = p.PushAll(context.Background(), []Job{{Function: "Fn", Image: img, Repo: "123456789012.dkr.ecr.us-east-1.amazonaws.com/app/fn", Empty: true}})
	if err == nil || !strings.Contains(err.Error(), "; not sent") {
		t.Errorf("PushAll() = %v, want the manifest refused", err)
	}
}
