# samship — build, test, demo and benchmarks. Everything runs against local emulators on
# 127.0.0.1; nothing here reaches AWS.
GO      ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT  ?= $(shell git rev-parse --short=12 HEAD 2>/dev/null)
LDFLAGS := -s -w -X github.com/samship/samship/internal/cli.Version=$(VERSION) -X github.com/samship/samship/internal/cli.Commit=$(COMMIT)

.PHONY: build test unit race lint demo demo-guided local-aws bench fuzz deps clean FORCE

# Every binary is built with -trimpath, so that the demo and tools reuse samship's compiled
# packages (the AWS SDK above all: on a fresh two-core machine it takes minutes to compile).
BUILD := $(GO) build -trimpath

build:
	@test -x bin/samship || echo "==> building bin/samship: the first build compiles the AWS SDK and takes a few minutes; later builds take seconds"
	@$(BUILD) -ldflags '$(LDFLAGS)' -o bin/samship ./cmd/samship

# deps installs what the tests need. moto_server and aws-sam-translator (the local AWS
# emulator and the SAM transform the project's launcher adds to it) are part of this machine
# image; tmux (the terminal test), docker-registry (the local registry), docker.io and podman
# (the engines sam build leaves images in) come from Debian; Go modules come from the module
# proxy at the versions pinned in go.mod.
DEBS := tmux docker-registry docker.io podman
GO_DEPS := $(GO) list -deps -test ./... && GOOS=darwin $(GO) list -deps ./cmd/samship && GOOS=windows $(GO) list -deps ./cmd/samship
deps:
	@command -v moto_server >/dev/null || { echo "moto_server not found: the tests need the local AWS emulator (Python package moto[server])" >&2; exit 1; }
	@python3 -c 'import moto.server, samtranslator' 2>/dev/null || { echo "python3 cannot import moto and samtranslator: the tests need the Python packages moto[server] and aws-sam-translator" >&2; exit 1; }
	@python3 -m pip --version >/dev/null 2>&1 || { echo "python3 -m pip not found: samship build's tests run pip for the Lambda platform (Python 3 with pip)" >&2; exit 1; }
	@command -v npm >/dev/null || { echo "==> installing Debian's npm (once): samship build's tests run npm for the Lambda platform"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null; }
	@command -v tmux >/dev/null && command -v docker-registry >/dev/null && command -v dockerd >/dev/null && command -v podman >/dev/null || { echo "==> installing Debian packages (once): $(DEBS)"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(DEBS) >/dev/null; }
	@# Only the modules the build and the tests import (not the whole graph, nor the lint
	@# tools'), on each system make test builds for (cobra imports one only on Windows):
	@# offline, a warm module cache is enough.
	@(export GOPROXY=off; $(GO_DEPS)) >/dev/null 2>&1 || { echo "==> downloading Go modules (once)"; ($(GO_DEPS)) >/dev/null; }

test: deps
	@unformatted=$$(gofmt -l cmd internal tools); if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted" >&2; exit 1; fi
	$(GO) vet ./...
	@# samship is built for the systems its users deploy from, not only this one (a Unix-only
	@# call once broke the Windows build unnoticed).
	GOOS=darwin $(GO) build -o /dev/null ./cmd/samship
	GOOS=windows $(GO) build -o /dev/null ./cmd/samship
	AWS_EC2_METADATA_DISABLED=true $(GO) test -count=1 -timeout 15m ./...

# unit runs every test that needs nothing started (no emulator, registry, engine or terminal).
unit:
	$(GO) test -short -count=1 ./...

# race runs those tests with the race detector.
race: deps
	$(GO) test -race -short -count=1 ./...

# lint runs staticcheck (staticcheck.conf says which checks) and errorlint (errors compared,
# asserted and formatted so that wrapped ones still match), both pinned in go.mod as tools.
lint:
	$(GO) tool staticcheck ./...
	$(GO) tool go-errorlint -errorf ./...

demo: deps build bin/demo
	@AWS_EC2_METADATA_DISABLED=true bin/demo

demo-guided: deps build bin/demo
	@AWS_EC2_METADATA_DISABLED=true bin/demo -guided

bin/demo: FORCE
	@test -x bin/demo || echo "==> building bin/demo (the local AWS launcher and the demo script)"
	@$(BUILD) -o bin/demo ./tools/demo

FORCE:

# local-aws runs the local AWS (SAM transform, registry as ECR, Docker engine when it starts) in
# the foreground and prints what to export to use it; Ctrl-C stops it.
local-aws: deps build
	@test -x bin/localaws || echo "==> building bin/localaws"
	@$(BUILD) -o bin/localaws ./tools/localaws
	@AWS_EC2_METADATA_DISABLED=true bin/localaws

# bench compares image pushes with Debian's skopeo, installed here when missing, and engine
# images (in Debian's dockerd, up to 3 GB: about 15 minutes and 20 GB of disk) with docker push,
# and samship build of sam init's image apps with docker build + docker push (about 5 minutes).
bench: deps build
	@command -v skopeo >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq skopeo >/dev/null; }
	@$(BUILD) -o bin/bench ./tools/bench
	AWS_EC2_METADATA_DISABLED=true bin/bench -out docs/benchmarks.md

# fuzz runs each fuzz target for a while (FUZZTIME, default 30s).
FUZZTIME ?= 30s
fuzz:
	$(GO) test ./internal/template/ -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME)
	$(GO) test ./internal/imageref/ -run '^$$' -fuzz '^FuzzClassify$$' -fuzztime $(FUZZTIME)
	$(GO) test -short ./internal/cli/ -run '^$$' -fuzz '^FuzzSplitWords$$' -fuzztime $(FUZZTIME)
	$(GO) test -short ./internal/cli/ -run '^$$' -fuzz '^FuzzParamFile$$' -fuzztime $(FUZZTIME)
	$(GO) test ./internal/samconfig/ -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME)
	$(GO) test ./internal/dockerfile/ -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME)
	$(GO) test ./internal/depinstall/ -run '^$$' -fuzz '^FuzzRecognize$$' -fuzztime $(FUZZTIME)
	$(GO) test ./internal/samconfig/ -run '^$$' -fuzz '^FuzzEdit$$' -fuzztime $(FUZZTIME)

clean:
	rm -rf bin
