# Kiln. `make run` builds and opens the app; `make test` runs every test. Both install what they
# need first (Debian packages with sudo when not root, Node tools into .tools/).

GO      ?= $(shell command -v go 2>/dev/null || echo /usr/local/go/bin/go)
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X github.com/kiln3d/kiln/app.Version=$(VERSION)
BINARY  := kiln

# Tests: fail (never skip) when a required tool is missing; a C locale keeps Fyne and GTK quiet.
TEST_ENV := KILN_REQUIRE_TOOLS=1 KILN_TOOLS=$(CURDIR)/.tools LANG=C.UTF-8 NO_AT_BRIDGE=1
# g3n's glTF loader trips checkptr under -race; the engine's code is not ours to fix.
RACE_FLAGS := -race -gcflags='github.com/g3n/engine/...=-d=checkptr=0'

.PHONY: all deps build run demo test bench fuzz lint package clean

all: build

deps:
	@.ci/deps test

build:
	@.ci/deps build
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BINARY) .

run: build
	@if [ -z "$$DISPLAY$$WAYLAND_DISPLAY" ]; then \
		echo "make run: no display (DISPLAY and WAYLAND_DISPLAY are unset); try: xvfb-run -a make run" >&2; exit 1; fi
	./$(BINARY)

# The cloud flow without an account: a fake Kaedim on loopback, the app pointed at it.
demo: build
	@if [ -z "$$DISPLAY$$WAYLAND_DISPLAY" ]; then \
		echo "make demo: no display; try: xvfb-run -a make demo" >&2; exit 1; fi
	.ci/demo

test: deps
	$(GO) vet ./...
	$(TEST_ENV) xvfb-run -a -s "-screen 0 1280x800x24" $(GO) test $(RACE_FLAGS) -count=1 -timeout 20m ./...
	$(TEST_ENV) .ci/keychain-test
	@$(MAKE) --no-print-directory fuzz FUZZTIME=10000x

# The fuzz targets over every hostile input: models, their animations, images, environment .hdr
# files, a server's answers, asset.json, a submission to kiln serve. Briefly in make test; longer
# by hand (make fuzz FUZZTIME=10m). A finding is kept as a seed in testdata/.
# make test counts inputs (10000x) rather than seconds: Go 1.26's coordinator can fail a timed run
# with "context deadline exceeded" as its time runs out, having found nothing (go.dev/issue/75804).
FUZZTIME ?= 2m
# Go's fuzzer shrinks every new input before it counts it, for up to a minute each: capped, so that
# a short run fuzzes rather than minimizes.
FUZZFLAGS = -run '^$$' -fuzztime=$(FUZZTIME) -fuzzminimizetime=2000x
fuzz:
	$(TEST_ENV) $(GO) test $(FUZZFLAGS) -fuzz=FuzzInspect ./preview/inspect
	$(TEST_ENV) $(GO) test $(FUZZFLAGS) -fuzz=FuzzAnimations ./preview/inspect
	$(TEST_ENV) xvfb-run -a $(GO) test $(FUZZFLAGS) -fuzz=FuzzReadHDR ./preview/g3n
	$(TEST_ENV) $(GO) test $(FUZZFLAGS) -fuzz=FuzzImage ./providers/imageio
	$(TEST_ENV) $(GO) test $(FUZZFLAGS) -fuzz=FuzzResponse ./providers/kaedim
	$(TEST_ENV) $(GO) test $(FUZZFLAGS) -fuzz=FuzzSidecar ./app
	$(TEST_ENV) $(GO) test $(FUZZFLAGS) -fuzz=FuzzSubmission ./app/server

# Benchmarks, measured side by side with their peers (gltfpack, f3d under Xvfb) where they have
# one; the corpus-based ones skip without ../shared/corpus.
bench:
	@.ci/deps bench
	$(TEST_ENV) $(GO) test -run '^$$' -bench . -benchmem -count 3 -timeout 60m ./providers/... ./preview/... ./app/ ./app/server/ ./views/

lint: deps
	$(GO) vet ./...
	@test -x .tools/bin/golangci-lint || GOBIN=$(CURDIR)/.tools/bin $(GO) install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@v2.15.0
	.tools/bin/golangci-lint run ./...

# An installable archive, kiln-VERSION-linux-ARCH.tar.gz: bin/kiln, the desktop entry that opens
# glTF models in Kiln, the file managers' thumbnailer (kiln thumbnail), the glTF MIME types, the
# icon, and install.sh (./install.sh [--prefix DIR], DESTDIR honoured). See .ci/package.
package:
	@.ci/deps build
	VERSION='$(VERSION)' LDFLAGS='$(LDFLAGS)' GO='$(GO)' .ci/package

clean:
	rm -rf $(BINARY) *.tar.xz kiln-*-linux-*.tar.gz
	find . -path ./.tools -prune -o -type d -path '*/testdata/failed' -prune -exec rm -rf {} +
