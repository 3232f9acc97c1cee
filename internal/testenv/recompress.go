package testenv

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// PushRecompressed pushes img under tag as another tool does (docker push, which SAM CLI
// pushes with): the same config, byte for byte, its layers compressed at another gzip level,
// so that the manifest has another digest, which it returns.
func PushRecompressed(tag name.Tag, img v1.Image, opts ...remote.Option) (v1.Hash, error) {
	rawCfg, err := img.RawConfigFile()
	if err != nil {
		return v1.Hash{}, err
	}
	cfgDigest, err := img.ConfigName()
	if err != nil {
		return v1.Hash{}, err
	}
	m := v1.Manifest{SchemaVersion: 2, MediaType: types.DockerManifestSchema2,
		Config: v1.Descriptor{MediaType: types.DockerConfigJSON, Size: int64(len(rawCfg)), Digest: cfgDigest}}
	if err := remote.WriteLayer(tag.Context(), static.NewLayer(rawCfg, types.DockerConfigJSON), opts...); err != nil {
		return v1.Hash{}, err
	}
	layers, err := img.Layers()
	if err != nil {
		return v1.Hash{}, err
	}
	for _, l := range layers {
		rc, err := l.Uncompressed()
		if err != nil {
			return v1.Hash{}, err
		}
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		_, err = io.Copy(zw, rc)
		rc.Close()
		if err != nil {
			return v1.Hash{}, err
		}
		zw.Close()
		sl := static.NewLayer(buf.Bytes(), types.DockerLayer)
		if err := remote.WriteLayer(tag.Context(), sl, opts...); err != nil {
			return v1.Hash{}, err
		}
		d, _ := sl.Digest()
		m.Layers = append(m.Layers, v1.Descriptor{MediaType: types.DockerLayer, Size: int64(buf.Len()), Digest: d})
	}
	raw, err := json.Marshal(m)
	if err != nil {
		return v1.Hash{}, err
	}
	if err := remote.Put(tag, rawManifest(raw), opts...); err != nil {
		return v1.Hash{}, err
	}
	return v1.NewHash(fmt.Sprintf("sha256:%x", sha256.Sum256(raw)))
}

type rawManifest []byte

func (r rawManifest) RawManifest() ([]byte, error)        { return r, nil }
func (r rawManifest) MediaType() (types.MediaType, error) { return types.DockerManifestSchema2, nil }
