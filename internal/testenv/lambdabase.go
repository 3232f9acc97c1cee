package testenv

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// LambdaRuntimes are the runtimes LambdaBase has stand-ins of, as AWS tags their base images
// in public.ecr.aws/lambda.
var LambdaRuntimes = []string{"python:3.12", "nodejs:22", "provided:al2023"}

// lambdaEpoch is the time stamped on every file and history entry of the stand-ins.
var lambdaEpoch = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

const lambdaLDPath = "/var/lang/lib:/lib64:/usr/lib64:/var/runtime:/var/runtime/lib:/var/task:/var/task/lib:/opt/lib"

// lambdaRuntime is what one runtime's image holds besides the OS layer.
type lambdaRuntime struct {
	path  string   // PATH
	env   []string // after PATH and LD_LIBRARY_PATH
	files []lambdaFile
}

type lambdaFile struct {
	name, body, link string // link: a symlink to link
	dir              bool
	mode             int64
}

func lambdaRuntimeOf(runtime, arch string) (lambdaRuntime, bool) {
	common := []string{"LAMBDA_TASK_ROOT=/var/task", "LAMBDA_RUNTIME_DIR=/var/runtime"}
	script := func(what string) string {
		return fmt.Sprintf("#!/bin/sh\n# samship's stand-in of %s for linux/%s\necho %q \"$@\"\n", what, arch, what)
	}
	langDirs := []lambdaFile{{name: "var/lang/", dir: true}, {name: "var/lang/bin/", dir: true}, {name: "var/lang/lib/", dir: true}}
	switch runtime {
	case "python:3.12":
		return lambdaRuntime{path: "/var/lang/bin:/usr/local/bin:/usr/bin/:/bin:/opt/bin", env: common,
			files: append(langDirs,
				lambdaFile{name: "var/lang/bin/python3.12", body: script("python3.12"), mode: 0o755},
				lambdaFile{name: "var/lang/bin/python3", link: "python3.12"},
				lambdaFile{name: "var/runtime/bootstrap", body: script("the python3.12 runtime interface client"), mode: 0o755})}, true
	case "nodejs:22":
		return lambdaRuntime{path: "/var/lang/bin:/usr/local/bin:/usr/bin/:/bin:/opt/bin",
			env: append([]string{"NODE_PATH=/opt/nodejs/node22/node_modules:/opt/nodejs/node_modules:/var/runtime/node_modules:/var/runtime:/var/task"}, common...),
			files: append(langDirs,
				lambdaFile{name: "var/lang/bin/node", body: script("node 22"), mode: 0o755},
				lambdaFile{name: "var/runtime/bootstrap", body: script("the nodejs22 runtime interface client"), mode: 0o755})}, true
	case "provided:al2023":
		return lambdaRuntime{path: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", env: common}, true
	}
	return lambdaRuntime{}, false
}

// lambdaOSFiles are the files every stand-in shares: Amazon Linux 2023's, much reduced.
func lambdaOSFiles(arch string) []lambdaFile {
	return []lambdaFile{
		{name: "etc/", dir: true},
		{name: "etc/os-release", mode: 0o644, body: "NAME=\"Amazon Linux\"\nVERSION=\"2023\"\nID=\"amzn\"\nID_LIKE=\"fedora\"\nVERSION_ID=\"2023\"\nPRETTY_NAME=\"Amazon Linux 2023 (samship stand-in)\"\n"},
		{name: "lambda-entrypoint.sh", mode: 0o755, body: `#!/bin/sh
# samship's stand-in of AWS's /lambda-entrypoint.sh
if [ $# -ne 1 ]; then
  echo "entrypoint requires the handler name to be the first argument" 1>&2
  exit 142
fi
export _HANDLER="$1"
RUNTIME_ENTRYPOINT=/var/runtime/bootstrap
if [ -z "${AWS_LAMBDA_RUNTIME_API}" ]; then
  exec /usr/local/bin/aws-lambda-rie $RUNTIME_ENTRYPOINT
else
  exec $RUNTIME_ENTRYPOINT
fi
`},
		{name: "opt/", dir: true},
		{name: "usr/", dir: true},
		{name: "usr/local/", dir: true},
		{name: "usr/local/bin/", dir: true},
		{name: "usr/local/bin/aws-lambda-rie", mode: 0o755, body: "#!/bin/sh\n# samship's stand-in of the Lambda runtime interface emulator for linux/" + arch + "\nexec \"$@\"\n"},
		{name: "var/", dir: true},
		{name: "var/runtime/", dir: true},
		{name: "var/task/", dir: true},
	}
}

// LambdaBase returns the stand-in of AWS's Lambda base image for runtime ("python:3.12",
// "nodejs:22", "provided:al2023") and arch ("amd64", "arm64"), with Docker v2 schema 2 media
// types as public.ecr.aws serves, deterministic (same bytes every time), with filler bytes of
// deterministic pseudo-random data in one more layer (none when filler is 0).
func LambdaBase(runtime, arch string, filler int64) (v1.Image, error) {
	rt, ok := lambdaRuntimeOf(runtime, arch)
	if !ok {
		return nil, fmt.Errorf("lambda base %q: no stand-in (have %s)", runtime, strings.Join(LambdaRuntimes, ", "))
	}
	if arch != "amd64" && arch != "arm64" {
		return nil, fmt.Errorf("lambda base %s: arch %q is not amd64 or arm64", runtime, arch)
	}
	var adds []mutate.Addendum
	add := func(createdBy string, files []lambdaFile) error {
		l, err := lambdaLayer(files)
		if err != nil {
			return fmt.Errorf("lambda base %s/%s: %w", runtime, arch, err)
		}
		adds = append(adds, mutate.Addendum{Layer: l, MediaType: types.DockerLayer,
			History: v1.History{Created: v1.Time{Time: lambdaEpoch}, CreatedBy: createdBy}})
		return nil
	}
	if err := add("ADD al2023 base", lambdaOSFiles(arch)); err != nil {
		return nil, err
	}
	if len(rt.files) > 0 {
		if err := add("ADD "+runtime+" runtime", rt.files); err != nil {
			return nil, err
		}
	}
	if filler > 0 {
		data := make([]byte, filler)
		r := rand.NewChaCha8([32]byte{'s', 'a', 'm', 's', 'h', 'i', 'p'})
		_, _ = r.Read(data)
		files := []lambdaFile{{name: "opt/", dir: true}, {name: "opt/filler.bin", body: string(data), mode: 0o644}}
		if err := add(fmt.Sprintf("ADD filler of %d bytes", filler), files); err != nil {
			return nil, err
		}
	}
	img, err := mutate.Append(empty.Image, adds...)
	if err != nil {
		return nil, err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture = "linux", arch
	if arch == "arm64" {
		cf.Variant = "v8"
	}
	cf.Created = v1.Time{Time: lambdaEpoch}
	cf.Config.Env = append([]string{"LANG=en_US.UTF-8", "TZ=:/etc/localtime", "PATH=" + rt.path, "LD_LIBRARY_PATH=" + lambdaLDPath}, rt.env...)
	cf.Config.WorkingDir = "/var/task"
	cf.Config.Entrypoint = []string{"/lambda-entrypoint.sh"}
	return mutate.ConfigFile(img, cf)
}

// lambdaLayer is a gzipped tar of files, every header fixed so the bytes never change.
func lambdaLayer(files []lambdaFile) (v1.Layer, error) {
	var tarBuf bytes.Buffer
	tw := tar.NewWriter(&tarBuf)
	for _, f := range files {
		h := &tar.Header{Name: f.name, Mode: f.mode, ModTime: lambdaEpoch, Uname: "root", Gname: "root", Format: tar.FormatPAX}
		switch {
		case f.dir:
			h.Typeflag, h.Mode = tar.TypeDir, 0o755
		case f.link != "":
			h.Typeflag, h.Linkname, h.Mode = tar.TypeSymlink, f.link, 0o777
		default:
			h.Typeflag, h.Size = tar.TypeReg, int64(len(f.body))
		}
		if err := tw.WriteHeader(h); err != nil {
			return nil, err
		}
		if _, err := io.WriteString(tw, f.body); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestSpeed)
	if _, err := zw.Write(tarBuf.Bytes()); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	b := gz.Bytes()
	return tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil },
		tarball.WithMediaType(types.DockerLayer))
}

// PublishLambdaBases pushes, for each of LambdaRuntimes, an index (a Docker manifest list)
// of its amd64 and arm64 stand-ins to the registry at registryURL (e.g.
// "http://127.0.0.1:5000") as lambda/<runtime> (127.0.0.1:5000/lambda/python:3.12), so that
// mirroring "public.ecr.aws" to the registry's host serves them under AWS's names. It returns
// the index digests by runtime.
func PublishLambdaBases(ctx context.Context, registryURL string, filler int64) (map[string]v1.Hash, error) {
	host := strings.TrimPrefix(strings.TrimPrefix(registryURL, "http://"), "https://")
	out := map[string]v1.Hash{}
	for _, runtime := range LambdaRuntimes {
		idx := mutate.IndexMediaType(empty.Index, types.DockerManifestList)
		for _, arch := range []string{"amd64", "arm64"} {
			img, err := LambdaBase(runtime, arch, filler)
			if err != nil {
				return nil, err
			}
			p := &v1.Platform{OS: "linux", Architecture: arch}
			if arch == "arm64" {
				p.Variant = "v8"
			}
			idx = mutate.AppendManifests(idx, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{Platform: p}})
		}
		tag, err := name.NewTag(host+"/lambda/"+runtime, name.Insecure)
		if err != nil {
			return nil, fmt.Errorf("publish lambda base %s: %w", runtime, err)
		}
		if err := remote.WriteIndex(tag, idx, remote.WithContext(ctx)); err != nil {
			return nil, fmt.Errorf("publish lambda base %s to %s: %w", runtime, host, err)
		}
		d, err := idx.Digest()
		if err != nil {
			return nil, err
		}
		out[runtime] = d
	}
	return out, nil
}
