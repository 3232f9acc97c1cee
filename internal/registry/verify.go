package registry

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Verify reads img whole and checks every part against its digest: the manifest against the
// digest it is known by, the config against the manifest's, each layer's bytes against its
// digest and size. An image in another registry is checked to its manifest and config here;
// its layers are checked as they stream during the push (the registry client verifies them).
func Verify(img *Image) error {
	raw, err := img.RawManifest()
	if err != nil {
		return fmt.Errorf("read manifest: %w", err)
	}
	want, err := img.Digest()
	if err != nil {
		return fmt.Errorf("read manifest: %w", err)
	}
	if n, ok := img.Image.(*named); ok {
		want = n.digest
	}
	if got := digestOf(raw); got != want.String() {
		return fmt.Errorf("manifest is %s, but is named %s", got, want)
	}
	m, err := img.Manifest()
	if err != nil {
		return fmt.Errorf("read manifest: %w", err)
	}
	cfg, err := img.RawConfigFile()
	if err != nil {
		return fmt.Errorf("read config: %w", err)
	}
	if got := digestOf(cfg); got != m.Config.Digest.String() {
		return fmt.Errorf("config is %s, but the manifest names %s", got, m.Config.Digest)
	}
	if img.fromRegistry {
		return nil
	}
	for _, d := range m.Layers {
		if err := verifyBlob(img.Image, d); err != nil {
			return err
		}
	}
	return nil
}

func verifyBlob(img v1.Image, d v1.Descriptor) error {
	l, err := img.LayerByDigest(d.Digest)
	if err != nil {
		return fmt.Errorf("layer %s: %w", d.Digest, err)
	}
	rc, err := l.Compressed()
	if err != nil {
		return fmt.Errorf("layer %s: %w", d.Digest, err)
	}
	defer rc.Close()
	h := sha256.New()
	n, err := io.Copy(h, rc)
	if err != nil {
		return fmt.Errorf("layer %s: %w", d.Digest, err)
	}
	if got := "sha256:" + hex.EncodeToString(h.Sum(nil)); got != d.Digest.String() {
		return fmt.Errorf("layer %s holds bytes whose digest is %s", d.Digest, got)
	}
	if n != d.Size {
		return fmt.Errorf("layer %s is %d bytes, the manifest says %d", d.Digest, n, d.Size)
	}
	return nil
}

func digestOf(b []byte) string {
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}
