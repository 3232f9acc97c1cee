package main

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
)

// buildApp is one of sam init's image apps (one x86_64 function), as
// internal/cli/testdata/build holds them: its files, the file a code-only change edits and
// the Dockerfile line that installs its dependencies.
type buildApp struct {
	key, label string
	base       string // the base image the Dockerfile names
	context    string // the DockerContext directory
	code       string // in context: what a code-only change edits
	install    string // the Dockerfile's RUN line
	files      map[string]string
}

const buildTemplate = `AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  HelloWorldFunction:
    Type: AWS::Serverless::Function
    Properties:
      PackageType: Image
      Architectures:
        - x86_64
    Metadata:
      Dockerfile: Dockerfile
      DockerContext: ./%s
      DockerTag: v1
`

var buildApps = []*buildApp{
	{key: "python", label: "python3.12", base: "public.ecr.aws/lambda/python:3.12", context: "hello_world", code: "app.py",
		install: "RUN python3.12 -m pip install -r requirements.txt -t .",
		files: map[string]string{
			"hello_world/Dockerfile": "FROM public.ecr.aws/lambda/python:3.12\n\nCOPY requirements.txt ./\n\n" +
				"RUN python3.12 -m pip install -r requirements.txt -t .\n\nCOPY app.py ./\n\n" +
				"# Command can be overwritten by providing a different command in the template directly.\nCMD [\"app.lambda_handler\"]\n",
			"hello_world/requirements.txt": "greeting\nfastmath==2.0\n",
			"hello_world/app.py": "import json\n\nimport fastmath\nimport greeting\n\n\ndef lambda_handler(event, context):\n" +
				"    return {\"statusCode\": 200, \"body\": json.dumps({\"message\": greeting.WORD, \"arch\": fastmath.ARCH})}\n",
		}},
	{key: "nodejs", label: "nodejs22.x", base: "public.ecr.aws/lambda/nodejs:22", context: "hello-world", code: "app.mjs",
		install: "RUN npm install",
		files: map[string]string{
			"hello-world/Dockerfile": "FROM public.ecr.aws/lambda/nodejs:22\n\nCOPY app.mjs package*.json leftpad-1.0.0.tgz ./\n\nRUN npm install\n" +
				"# If you are building your code for production, instead include a package-lock.json file on this directory and use:\n" +
				"# RUN npm ci --production\n\n# Command can be overwritten by providing a different command in the template directly.\nCMD [\"app.lambdaHandler\"]\n",
			"hello-world/package.json": `{"name": "hello_world", "version": "1.0.0", "description": "hello world sample for NodeJS", "main": "app.js",` +
				` "license": "MIT", "dependencies": {"leftpad": "file:leftpad-1.0.0.tgz"}}` + "\n",
			"hello-world/app.mjs": "import leftpad from 'leftpad';\n\nexport const lambdaHandler = async (event, context) => {\n" +
				"  return { statusCode: 200, body: JSON.stringify({ message: leftpad('hello world') }) };\n};\n",
		}},
}

// write writes the app into dir (a new directory), with the packages it needs from pkgs.
func (a *buildApp) write(dir, pkgs string) error {
	files := map[string]string{"template.yaml": fmt.Sprintf(buildTemplate, a.context)}
	for p, c := range a.files {
		files[p] = c
	}
	if a.key == "nodejs" {
		b, err := os.ReadFile(filepath.Join(pkgs, "leftpad-1.0.0.tgz"))
		if err != nil {
			return err
		}
		files["hello-world/leftpad-1.0.0.tgz"] = string(b)
	}
	for p, c := range files {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, p)), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, p), []byte(c), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// change makes the code-only change in the app's context directory under dir.
func (a *buildApp) change(dir string) error {
	f, err := os.OpenFile(filepath.Join(dir, a.context, a.code), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	comment := "# v2\n"
	if strings.HasSuffix(a.code, ".mjs") {
		comment = "// v2\n"
	}
	_, err = f.WriteString(comment)
	return err
}

// samshipRun is what one samship build or deploy took and said.
type samshipRun struct {
	wall time.Duration
	self time.Duration // build: the time on its "Built" line; deploy: its push phase
	sent int64         // deploy: bytes the counting proxy saw go to the registry
	said int64         // deploy: the bytes its "Images:" line says it sent
	out  string
}

var (
	builtLine  = regexp.MustCompile(`(?m)^Built HelloWorldFunction: sha256:[0-9a-f]+ in ([0-9.]+) s \((.*)\)$`)
	imagesLine = regexp.MustCompile(`Images: (\d+) pushed, (\d+) already there, ([0-9.]+) ([kMG]?B) sent \(([0-9.]+) s\)`)
)

// samshipCmd runs bin with args in dir and env, and returns its wall time and output.
func samshipCmd(bin, dir string, env []string, args ...string) (time.Duration, string, error) {
	cmd := exec.Command(bin, args...)
	cmd.Dir, cmd.Env = dir, env
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	d := time.Since(start)
	if err != nil {
		return d, out.String(), fmt.Errorf("samship %s: %w\n%s", strings.Join(args, " "), err, tail(out.String()))
	}
	return d, out.String(), nil
}

// samshipBuild runs `samship build` in the app directory dir.
func samshipBuild(bin, dir string, env []string) (samshipRun, error) {
	d, out, err := samshipCmd(bin, dir, env, "build")
	r := samshipRun{wall: d, out: out}
	if err != nil {
		return r, err
	}
	m := builtLine.FindStringSubmatch(out)
	if m == nil {
		return r, fmt.Errorf("samship build: no Built line in its output:\n%s", tail(out))
	}
	secs, _ := strconv.ParseFloat(m[1], 64)
	r.self = time.Duration(secs * float64(time.Second))
	return r, nil
}

// samshipDeploy deploys the built template of the app directory dir as stack, and counts
// what went to the registry through mt.
func samshipDeploy(bin, dir, stack string, env []string, mt *meter) (samshipRun, error) {
	sent0, _, _, _ := mt.snapshot()
	d, out, err := samshipCmd(bin, dir, env, "deploy", "--stack-name", stack, "--resolve-image-repos",
		"--capabilities", "CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND", "--no-fail-on-empty-changeset")
	r := samshipRun{wall: d, out: out}
	if err != nil {
		return r, err
	}
	sent, _, _, _ := mt.snapshot()
	r.sent = sent - sent0
	if m := imagesLine.FindStringSubmatch(out); m != nil {
		secs, _ := strconv.ParseFloat(m[5], 64)
		r.self = time.Duration(secs * float64(time.Second))
		n, _ := strconv.ParseFloat(m[3], 64)
		r.said = int64(n * map[string]float64{"B": 1, "kB": 1e3, "MB": 1e6, "GB": 1e9}[m[4]])
	}
	return r, nil
}

// layoutDigest is the digest of the image of the OCI layout samship build wrote for the
// function under the app directory dir.
func layoutDigest(dir string) (string, error) {
	idx, err := layout.ImageIndexFromPath(filepath.Join(dir, ".aws-sam", "build", "HelloWorldFunction"))
	if err != nil {
		return "", err
	}
	m, err := idx.IndexManifest()
	if err != nil {
		return "", err
	}
	if len(m.Manifests) != 1 {
		return "", fmt.Errorf("read layout in %s: %d images, want 1", dir, len(m.Manifests))
	}
	return m.Manifests[0].Digest.String(), nil
}

// extractInstall writes into dst the files of samship's built image under var/task that the
// app's build context does not hold: what pip or npm installed.
func (a *buildApp) extractInstall(dir, dst string) error {
	idx, err := layout.ImageIndexFromPath(filepath.Join(dir, ".aws-sam", "build", "HelloWorldFunction"))
	if err != nil {
		return err
	}
	m, err := idx.IndexManifest()
	if err != nil {
		return err
	}
	img, err := idx.Image(m.Manifests[0].Digest)
	if err != nil {
		return err
	}
	rc := mutate.Extract(img)
	defer rc.Close()
	tr := tar.NewReader(rc)
	n := 0
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("read the built image of %s: %w", a.label, err)
		}
		rel, ok := strings.CutPrefix(strings.TrimPrefix(h.Name, "/"), "var/task/")
		rel = strings.TrimSuffix(rel, "/")
		if !ok || rel == "" {
			continue
		}
		if _, fromContext := a.files[a.context+"/"+rel]; fromContext || strings.HasSuffix(rel, ".tgz") || rel == "package.json" {
			continue
		}
		p := filepath.Join(dst, rel)
		switch h.Typeflag {
		case tar.TypeDir:
			err = os.MkdirAll(p, 0o755)
		case tar.TypeSymlink:
			os.MkdirAll(filepath.Dir(p), 0o755)
			err = os.Symlink(h.Linkname, p)
		case tar.TypeReg:
			os.MkdirAll(filepath.Dir(p), 0o755)
			var f *os.File
			if f, err = os.OpenFile(p, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, os.FileMode(h.Mode)&0o777|0o600); err == nil {
				_, err = io.Copy(f, tr)
				f.Close()
			}
			n++
		}
		if err != nil {
			return fmt.Errorf("extract %s of %s's install: %w", rel, a.label, err)
		}
	}
	if n == 0 {
		return fmt.Errorf("extract %s's install: samship's image holds nothing under /var/task besides the context", a.label)
	}
	return nil
}
