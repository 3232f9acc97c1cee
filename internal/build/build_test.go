package build

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/validate"

	"github.com/samship/samship/internal/baseimage"
	"github.com/samship/samship/internal/testenv"
)

// fakeBases serves the stand-ins of AWS's Lambda base images, by AWS's names.
type fakeBases struct {
	mu    sync.Mutex
	asked []string
}

func (f *fakeBases) Image(_ context.Context, ref, platform string) (v1.Image, baseimage.Info, error) {
	f.mu.Lock()
	f.asked = append(f.asked, ref+" "+platform)
	f.mu.Unlock()
	rt, ok := strings.CutPrefix(ref, "public.ecr.aws/lambda/")
	if !ok {
		return nil, baseimage.Info{}, fmt.Errorf("pull %s: no such image", ref)
	}
	_, arch, _ := strings.Cut(platform, "/")
	img, err := testenv.LambdaBase(rt, arch, 0)
	if err != nil {
		return nil, baseimage.Info{}, err
	}
	d, _ := img.Digest()
	return img, baseimage.Info{Ref: ref, Digest: d}, nil
}

type nopReport struct{ started, done []string }

func (r *nopReport) BuildStarted(fn, platform string, engine bool, why string) {
	r.started = append(r.started, fmt.Sprintf("%s %s %v %s", fn, platform, engine, why))
}
func (r *nopReport) BuildDone(img Image) { r.done = append(r.done, img.Function) }

// app writes a template with one image function per Dockerfile (name → Dockerfile text), each
// in its own context directory with files.
func app(t *testing.T, fns map[string]string, files map[string]string, arch string) string {
	t.Helper()
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("Transform: AWS::Serverless-2016-10-31\nGlobals:\n  Function:\n    Timeout: 3\nResources:\n")
	names := make([]string, 0, len(fns))
	for n := range fns {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(&b, "  %s:\n    Type: AWS::Serverless::Function\n    Properties:\n      PackageType: Image\n      Architectures: [%s]\n    Metadata:\n      Dockerfile: Dockerfile\n      DockerContext: ./%s\n      DockerTag: v1\n", n, arch, strings.ToLower(n))
		ctx := map[string]string{"Dockerfile": fns[n]}
		for k, v := range files {
			ctx[k] = v
		}
		writeFiles(t, filepath.Join(dir, strings.ToLower(n)), ctx)
	}
	writeFiles(t, dir, map[string]string{"template.yaml": b.String()})
	return dir
}

type run struct {
	res    *Result
	bases  *fakeBases
	report *nopReport
	err    error
}

func buildApp(t *testing.T, dir, cache string, opts Options) run {
	t.Helper()
	if opts.Engine == "" {
		opts.Engine = EngineNever
	}
	opts.Template, opts.BuildDir = filepath.Join(dir, "template.yaml"), filepath.Join(dir, ".aws-sam", "build")
	r := run{bases: &fakeBases{}, report: &nopReport{}}
	var tools bytes.Buffer
	r.res, r.err = Run(context.Background(), opts, Deps{Bases: r.bases, CacheDir: cache, Epoch: time.Unix(0, 0), Tools: &tools,
		Report: r.report, Now: time.Now})
	return r
}

// built reads a function's image back from its layout, as deploy does.
func built(t *testing.T, dir, fn string) (v1.Image, *v1.ConfigFile) {
	t.Helper()
	idx, err := layout.ImageIndexFromPath(filepath.Join(dir, ".aws-sam", "build", fn))
	if err != nil {
		t.Fatal(err)
	}
	m, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	img, err := idx.Image(m.Manifests[0].Digest)
	if err != nil {
		t.Fatal(err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	return img, cf
}

// fileIn reads one file of an image's flattened filesystem.
func fileIn(t *testing.T, img v1.Image, name string) (string, bool) {
	t.Helper()
	dir := t.TempDir()
	if err := extract(mutate.Extract(img), dir); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		return "", false
	}
	return string(b), true
}

func TestInstructions(t *testing.T) {
	df := `ARG RUNTIME=python:3.12
FROM public.ecr.aws/lambda/${RUNTIME}
ARG GREETING=hello
ENV APP_GREETING=${GREETING} APP_DIR=${LAMBDA_TASK_ROOT}/app
WORKDIR ${APP_DIR}
COPY app.py ./
COPY --chown=1000:1000 --chmod=0600 secret.txt /opt/secret.txt
ADD lib/ lib/
LABEL team=serverless "purpose"="hello world"
EXPOSE 8080 9000/udp
USER 1000
SHELL ["/bin/bash", "-c"]
ENTRYPOINT ["/lambda-entrypoint.sh"]
CMD ["app.handler"]
`
	dir := app(t, map[string]string{"HelloFunction": df}, map[string]string{"app.py": "print(1)\n", "secret.txt": "s", "lib/util.py": "u", "ignored.txt": "x", ".dockerignore": "ignored.txt\n"}, "x86_64")
	r := buildApp(t, dir, t.TempDir(), Options{})
	if r.err != nil {
		t.Fatal(r.err)
	}
	img, cf := built(t, dir, "HelloFunction")
	c := cf.Config
	got := map[string]any{"workdir": c.WorkingDir, "cmd": c.Cmd, "entrypoint": c.Entrypoint, "user": c.User, "labels": c.Labels,
		"ports": len(c.ExposedPorts), "shell": c.Shell, "arch": cf.Architecture, "created": cf.Created.Unix()}
	want := map[string]any{"workdir": "/var/task/app", "cmd": []string{"app.handler"}, "entrypoint": []string{"/lambda-entrypoint.sh"},
		"user": "1000", "labels": map[string]string{"team": "serverless", "purpose": "hello world"}, "ports": 2,
		"shell": []string{"/bin/bash", "-c"}, "arch": "amd64", "created": int64(0)}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("config (-want +got):\n%s", d)
	}
	env := strings.Join(c.Env, " ")
	for _, e := range []string{"APP_GREETING=hello", "APP_DIR=/var/task/app", "LAMBDA_TASK_ROOT=/var/task"} {
		if !strings.Contains(env, e) {
			t.Errorf("Env = %q, want %s in it", c.Env, e)
		}
	}
	for name, want := range map[string]string{"var/task/app/app.py": "print(1)\n", "var/task/app/lib/util.py": "u", "opt/secret.txt": "s"} {
		if got, ok := fileIn(t, img, name); !ok || got != want {
			t.Errorf("%s = %q (there: %v), want %q", name, got, ok, want)
		}
	}
	if _, ok := fileIn(t, img, "var/task/app/ignored.txt"); ok {
		t.Errorf(".dockerignore'd file is in the image")
	}
	if !strings.Contains(strings.Join(r.bases.asked, ","), "public.ecr.aws/lambda/python:3.12 linux/amd64") {
		t.Errorf("bases asked %q, want python:3.12 for linux/amd64", r.bases.asked)
	}
}

// A stage's ENTRYPOINT drops the CMD of its base; a shell-form CMD runs in SHELL.
func TestCommandForms(t *testing.T) {
	df := "FROM public.ecr.aws/lambda/provided:al2023\nENTRYPOINT [\"/bootstrap\"]\nFROM public.ecr.aws/lambda/python:3.12\nCMD app.handler --x\n"
	dir := app(t, map[string]string{"Fn": df}, nil, "arm64")
	if r := buildApp(t, dir, t.TempDir(), Options{}); r.err != nil {
		t.Fatal(r.err)
	}
	_, cf := built(t, dir, "Fn")
	if d := cmp.Diff([]string{"/bin/sh", "-c", "app.handler --x"}, cf.Config.Cmd); d != "" {
		t.Errorf("shell-form CMD (-want +got):\n%s", d)
	}
	if cf.Architecture != "arm64" {
		t.Errorf("architecture = %s, want arm64 (Architectures: [arm64])", cf.Architecture)
	}
}

func TestMultiStage(t *testing.T) {
	df := `FROM public.ecr.aws/lambda/nodejs:22 AS build
WORKDIR /src
COPY src/ ./
FROM public.ecr.aws/lambda/provided:al2023 AS unused
COPY missing.txt /
FROM public.ecr.aws/lambda/nodejs:22
COPY --from=build /src/app.mjs ${LAMBDA_TASK_ROOT}/
COPY --from=0 /var/lang/bin/node /opt/node-copy
CMD ["app.handler"]
`
	dir := app(t, map[string]string{"Fn": df}, map[string]string{"src/app.mjs": "export const handler = 1\n"}, "x86_64")
	if r := buildApp(t, dir, t.TempDir(), Options{}); r.err != nil {
		t.Fatal(r.err)
	}
	img, _ := built(t, dir, "Fn")
	if got, ok := fileIn(t, img, "var/task/app.mjs"); !ok || got != "export const handler = 1\n" {
		t.Errorf("app.mjs = %q, %v; want it from stage build", got, ok)
	}
	if _, ok := fileIn(t, img, "opt/node-copy"); !ok {
		t.Errorf("COPY --from=0 of a base image's file: not in the image")
	}
	if _, ok := fileIn(t, img, "src/app.mjs"); ok {
		t.Errorf("the build stage's files leaked into the final image")
	}
}

// Same inputs, same digest: with two empty caches, at two times; a code change adds one new
// layer and leaves the others.
func TestReproducible(t *testing.T) {
	df := "FROM public.ecr.aws/lambda/python:3.12\nCOPY lib/ ./lib/\nCOPY app.py ./\nCMD [\"app.handler\"]\n"
	files := map[string]string{"app.py": "print(1)\n", "lib/a.py": "a"}
	dir1 := app(t, map[string]string{"Fn": df}, files, "x86_64")
	dir2 := app(t, map[string]string{"Fn": df}, files, "x86_64")
	os.Chtimes(filepath.Join(dir2, "fn", "app.py"), time.Now().Add(-time.Hour), time.Now().Add(-time.Hour))
	r1 := buildApp(t, dir1, t.TempDir(), Options{})
	r2 := buildApp(t, dir2, t.TempDir(), Options{})
	if r1.err != nil || r2.err != nil {
		t.Fatal(r1.err, r2.err)
	}
	if a, b := r1.res.Images[0].Digest, r2.res.Images[0].Digest; a != b {
		t.Errorf("digests differ with two caches: %s, %s", a, b)
	}
	cache := t.TempDir()
	first := buildApp(t, dir1, cache, Options{})
	again := buildApp(t, dir1, cache, Options{})
	if again.res.Images[0].New != 0 || again.res.Images[0].Digest != first.res.Images[0].Digest {
		t.Errorf("unchanged rebuild: %d new layers, digest %s; want 0 and %s", again.res.Images[0].New, again.res.Images[0].Digest, first.res.Images[0].Digest)
	}
	writeFiles(t, filepath.Join(dir1, "fn"), map[string]string{"app.py": "print(2)\n"})
	changed := buildApp(t, dir1, cache, Options{})
	img1, _ := built(t, dir1, "Fn")
	if changed.res.Images[0].New != 1 || changed.res.Images[0].Digest == first.res.Images[0].Digest {
		t.Errorf("code change: %d new layers, digest %s; want 1 and a new digest", changed.res.Images[0].New, changed.res.Images[0].Digest)
	}
	ls, _ := img1.Layers()
	blobs, _ := os.ReadDir(filepath.Join(dir1, ".aws-sam", "build", "Fn", "blobs", "sha256"))
	if len(blobs) != len(ls)+2 {
		t.Errorf("layout holds %d blobs, want %d (layers, config, manifest): the replaced image's were not removed", len(blobs), len(ls)+2)
	}
}

// What samship cannot build alone is refused before anything is written, naming the line.
func TestRefusals(t *testing.T) {
	for name, tc := range map[string]struct {
		df, want string
		opts     Options
	}{
		"RUN without an engine": {df: "FROM public.ecr.aws/lambda/python:3.12\nRUN yum install -y gcc\n",
			want: "fn/Dockerfile:2: RUN yum install -y gcc needs a container engine: samship builds FROM, COPY"},
		"HEALTHCHECK": {df: "FROM public.ecr.aws/lambda/python:3.12\nHEALTHCHECK CMD true\n", want: "fn/Dockerfile:2: "},
		"engine always without one": {df: "FROM scratch\n", opts: Options{Engine: EngineAlways},
			want: "function Fn: --engine always, but no container engine is reachable"},
		"missing source":   {df: "FROM scratch\nCOPY nothere.txt /\n", want: "fn/Dockerfile:2: "},
		"unknown function": {df: "FROM scratch\n", opts: Options{Functions: []string{"Other"}}, want: "unable to find a function with name Other"},
	} {
		t.Run(name, func(t *testing.T) {
			dir := app(t, map[string]string{"Fn": tc.df}, nil, "x86_64")
			wd, _ := os.Getwd()
			os.Chdir(dir)
			defer os.Chdir(wd)
			r := buildApp(t, dir, t.TempDir(), tc.opts)
			if r.err == nil || !strings.Contains(r.err.Error(), tc.want) {
				t.Fatalf("Run = %v, want an error with %q", r.err, tc.want)
			}
			if _, err := os.Stat(filepath.Join(dir, ".aws-sam")); !os.IsNotExist(err) {
				t.Errorf("the build directory was made: %v", err)
			}
		})
	}
}

// Functions built from the same Dockerfile, context and platform share one build.
func TestSameInputsOneBuild(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"template.yaml": "Transform: AWS::Serverless-2016-10-31\nGlobals:\n  Function:\n    Timeout: 3\nResources:\n" +
			"  ReaderFunction:\n    Type: AWS::Serverless::Function\n    Properties:\n      PackageType: Image\n    Metadata: {Dockerfile: Dockerfile, DockerContext: ./src, DockerTag: v1}\n" +
			"  WriterFunction:\n    Type: AWS::Serverless::Function\n    Properties:\n      PackageType: Image\n    Metadata: {Dockerfile: Dockerfile, DockerContext: ./src, DockerTag: v2}\n",
		"src/Dockerfile": "FROM public.ecr.aws/lambda/python:3.12\nCOPY app.py ./\n",
		"src/app.py":     "print(1)\n",
	})
	r := buildApp(t, dir, t.TempDir(), Options{})
	if r.err != nil {
		t.Fatal(r.err)
	}
	if len(r.bases.asked) != 1 || len(r.res.Images) != 2 || r.res.Images[0].Digest != r.res.Images[1].Digest {
		t.Fatalf("bases asked %q, images %+v: want one build for both", r.bases.asked, r.res.Images)
	}
	for fn, tag := range map[string]string{"ReaderFunction": "v1", "WriterFunction": "v2"} {
		idx, err := layout.ImageIndexFromPath(filepath.Join(dir, ".aws-sam", "build", fn))
		if err != nil {
			t.Fatal(err)
		}
		m, _ := idx.IndexManifest()
		if got := m.Manifests[0].Annotations["org.opencontainers.image.ref.name"]; got != tag {
			t.Errorf("%s's layout is named %q, want its DockerTag %q", fn, got, tag)
		}
	}
}

// AWS's own examples: COPY into ${LAMBDA_TASK_ROOT} without a trailing slash copies into the
// directory; a WORKDIR the image lacks is made; ARG in a stage takes the value of the ARG
// before FROM.
func TestDockerRules(t *testing.T) {
	df := "ARG HANDLER=lambda_function.handler\nFROM public.ecr.aws/lambda/python:3.12\nARG HANDLER\n" +
		"COPY lambda_function.py ${LAMBDA_TASK_ROOT}\nWORKDIR /opt/extensions/state\nENV HANDLER=$HANDLER\nCMD [\"lambda_function.handler\"]\n"
	dir := app(t, map[string]string{"Fn": df}, map[string]string{"lambda_function.py": "def handler(e, c): pass\n"}, "x86_64")
	if r := buildApp(t, dir, t.TempDir(), Options{}); r.err != nil {
		t.Fatal(r.err)
	}
	img, cf := built(t, dir, "Fn")
	if got, ok := fileIn(t, img, "var/task/lambda_function.py"); !ok || got != "def handler(e, c): pass\n" {
		t.Errorf("/var/task/lambda_function.py = %q, %v; want the file copied into the task root", got, ok)
	}
	d := t.TempDir()
	if err := extract(mutate.Extract(img), d); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(filepath.Join(d, "opt/extensions/state")); err != nil || !fi.IsDir() {
		t.Errorf("WORKDIR /opt/extensions/state: %v; want the directory in the image", err)
	}
	if !strings.Contains(strings.Join(cf.Config.Env, " "), "HANDLER=lambda_function.handler") {
		t.Errorf("Env = %q, want HANDLER from the ARG before FROM", cf.Config.Env)
	}
}

// Two builds writing one build directory at once leave a layout whose index names only blobs
// it holds.
func TestConcurrentBuildsOneDirectory(t *testing.T) {
	df := "FROM public.ecr.aws/lambda/python:3.12\nCOPY app.py ./\n"
	dir := app(t, map[string]string{"Fn": df}, map[string]string{"app.py": "print(0)\n"}, "x86_64")
	other := app(t, map[string]string{"Fn": df}, map[string]string{"app.py": "print(1)\n"}, "x86_64")
	cache := t.TempDir()
	for i := 0; i < 5; i++ {
		var wg sync.WaitGroup
		for _, src := range []string{dir, other} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				opts := Options{Engine: EngineNever, Template: filepath.Join(src, "template.yaml"), BuildDir: filepath.Join(dir, ".aws-sam", "build")}
				if _, err := Run(context.Background(), opts, Deps{Bases: &fakeBases{}, CacheDir: cache, Epoch: time.Unix(0, 0),
					Tools: io.Discard, Report: &nopReport{}, Now: time.Now}); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		img, _ := built(t, dir, "Fn")
		if err := validate.Image(img); err != nil {
			t.Fatalf("round %d: the layout's image is broken: %v", i, err)
		}
	}
}

// Building one function keeps, in the built template, the images an earlier build left the
// others.
func TestBuildOneKeepsTheOthers(t *testing.T) {
	df := "FROM public.ecr.aws/lambda/python:3.12\nCOPY app.py ./\n"
	dir := app(t, map[string]string{"OneFunction": df, "TwoFunction": df}, map[string]string{"app.py": "1"}, "x86_64")
	if r := buildApp(t, dir, t.TempDir(), Options{}); r.err != nil {
		t.Fatal(r.err)
	}
	if r := buildApp(t, dir, t.TempDir(), Options{Functions: []string{"OneFunction"}}); r.err != nil {
		t.Fatal(r.err)
	}
	b, _ := os.ReadFile(filepath.Join(dir, ".aws-sam", "build", "template.yaml"))
	for _, fn := range []string{"OneFunction", "TwoFunction"} {
		if !strings.Contains(string(b), `ImageUri: "`+fn+`"`) {
			t.Errorf("built template lacks %s's image:\n%s", fn, b)
		}
	}
}
