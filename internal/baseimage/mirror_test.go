package baseimage

import (
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
)

func TestSource(t *testing.T) {
	tests := []struct {
		name     string
		ref      string
		mirrors  map[string]string
		want     string // the reference to fetch, then the scheme it is spoken to in
		wantFrom string
	}{
		{"no mirror", "public.ecr.aws/lambda/python:3.12", nil, "public.ecr.aws/lambda/python:3.12 https", "public.ecr.aws"},
		{"other host's mirror", "public.ecr.aws/lambda/python:3.12", map[string]string{"ghcr.io": "127.0.0.1:5000"},
			"public.ecr.aws/lambda/python:3.12 https", "public.ecr.aws"},
		{"loopback mirror", "public.ecr.aws/lambda/python:3.12", map[string]string{"public.ecr.aws": "127.0.0.1:5000"},
			"127.0.0.1:5000/lambda/python:3.12 http", "127.0.0.1:5000"},
		{"prefix", "public.ecr.aws/lambda/python:3.12", map[string]string{"public.ecr.aws": "127.0.0.1:5000/aws/"},
			"127.0.0.1:5000/aws/lambda/python:3.12 http", "127.0.0.1:5000/aws"},
		{"http scheme", "public.ecr.aws/lambda/nodejs:22", map[string]string{"public.ecr.aws": "http://mirror.internal:5000/p"},
			"mirror.internal:5000/p/lambda/nodejs:22 http", "mirror.internal:5000/p"},
		{"https scheme", "public.ecr.aws/lambda/nodejs:22", map[string]string{"public.ecr.aws": "https://mirror.example.com"},
			"mirror.example.com/lambda/nodejs:22 https", "mirror.example.com"},
		{"localhost", "public.ecr.aws/lambda/nodejs:22", map[string]string{"public.ecr.aws": "localhost:5000"},
			"localhost:5000/lambda/nodejs:22 http", "localhost:5000"},
		{"digest", "public.ecr.aws/lambda/python@sha256:" + hex64, map[string]string{"public.ecr.aws": "127.0.0.1:5000"},
			"127.0.0.1:5000/lambda/python@sha256:" + hex64 + " http", "127.0.0.1:5000"},
		{"docker hub as docker.io", "python:3.12", map[string]string{"docker.io": "127.0.0.1:5000/hub"},
			"127.0.0.1:5000/hub/library/python:3.12 http", "127.0.0.1:5000/hub"},
		{"docker hub as index.docker.io", "index.docker.io/library/python:3.12", map[string]string{"index.docker.io": "127.0.0.1:5000"},
			"127.0.0.1:5000/library/python:3.12 http", "127.0.0.1:5000"},
		{"private ecr", "123456789012.dkr.ecr.us-east-1.amazonaws.com/base:v1", map[string]string{"123456789012.dkr.ecr.us-east-1.amazonaws.com": "127.0.0.1:5000"},
			"127.0.0.1:5000/base:v1 http", "127.0.0.1:5000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ms := map[string]mirror{}
			for k, v := range tt.mirrors {
				m, err := parseMirror(v)
				if err != nil {
					t.Fatal(err)
				}
				ms[k] = m
			}
			ref, err := name.ParseReference(tt.ref)
			if err != nil {
				t.Fatal(err)
			}
			got, from, err := source(ref, ms)
			if err != nil {
				t.Fatal(err)
			}
			if s := got.Name() + " " + got.Context().Scheme(); s != tt.want || from != tt.wantFrom {
				t.Errorf("source(%s) = %s from %s, want %s from %s", tt.ref, s, from, tt.want, tt.wantFrom)
			}
		})
	}
}

const hex64 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

func TestParseMirrorRefuses(t *testing.T) {
	tests := []struct{ in, want string }{
		{"ftp://127.0.0.1", `scheme "ftp" is not http or https`},
		{"", "no host"},
		{"http:///p", "no host"},
		{"bad host!/p", `host "bad host!": registries must be valid RFC 3986 URI authorities: bad host!`},
	}
	for _, tt := range tests {
		_, err := parseMirror(tt.in)
		if err == nil || err.Error() != tt.want {
			t.Errorf("parseMirror(%q) = %v, want %s", tt.in, err, tt.want)
		}
	}
}
