package testenv

import (
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// FakeEngine answers the two Docker engine API calls samship makes (image inspect, image
// save) for images, on a unix socket in a scratch directory: there is no Docker engine here.
type FakeEngine struct {
	// Host is the DOCKER_HOST value that reaches it.
	Host  string
	Saves atomic.Int32
	srv   *http.Server
	dir   string
}

// StartFakeEngine serves images by their local names ("hellofunction:python3.12-v1").
func StartFakeEngine(images map[string]v1.Image) (*FakeEngine, error) {
	dir, err := os.MkdirTemp("", "samship-engine-")
	if err != nil {
		return nil, err
	}
	sock := filepath.Join(dir, "docker.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		return nil, err
	}
	e := &FakeEngine{Host: "unix://" + sock, dir: dir}
	e.srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path := strings.TrimPrefix(r.URL.Path, "/images/")
		i := strings.LastIndexByte(path, '/')
		if i < 0 {
			http.NotFound(w, r)
			return
		}
		ref, op := path[:i], path[i+1:]
		img, ok := images[ref]
		if !ok {
			http.Error(w, `{"message":"No such image: `+ref+`"}`, http.StatusNotFound)
			return
		}
		switch op {
		case "json":
			id, _ := img.ConfigName()
			w.Write([]byte(`{"Id":"` + id.String() + `"}`))
		case "get":
			e.Saves.Add(1)
			tag, err := name.NewTag(ref)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			w.Header().Set("Content-Type", "application/x-tar")
			tarball.Write(tag, img, w)
		default:
			http.NotFound(w, r)
		}
	})}
	go e.srv.Serve(l)
	return e, nil
}

// Stop ends the fake engine.
func (e *FakeEngine) Stop() {
	e.srv.Close()
	os.RemoveAll(e.dir)
}
