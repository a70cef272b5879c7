# Tributary — build, run and test. `make help` lists the targets.
GO        ?= go
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -s -w -X main.version=$(VERSION)
BIN       := bin/tributary

# AWS Lambda builds (reference/lambda.md §7.2). The tributary_nofc tag
# leaves the Flexible Config renderer (text/template and Sprig, ~4 MB) out
# of the functions: a template is rendered when the template is generated.
# `sam build` runs
# `make build-<LogicalId>` with ARTIFACTS_DIR set; run by hand, the binary
# lands in .build/<LogicalId>/bootstrap. GOARCH=amd64 builds for RIE here.
GOARCH ?= arm64
ARTIFACTS_DIR ?= .build/$(patsubst build-%,%,$@)
# FUNCTION_TAGS leave the heavy optional libraries out of the functions:
# cel-go and the JSON Schema compiler (~4 ms and 2 MB of every cold
# start), gopher-lua, go-redis and the AWS SDK's signer (backend/lambda):
# another 3.4 MB of binary between those three; the OpenTelemetry SDK
# and gRPC (telemetry/opentelemetry) several MB more.
# `tributary sam generate -c FILE` writes the ones FILE allows to
# .tributary/build-tags; without that file (the bundled demo, which uses
# none of them) all are left out. A function whose config needs a library
# it was built without refuses to start and says which tag to drop.
LEAN_TAGS     := tributary_nocel,tributary_nojsonschema,tributary_nolua,tributary_noredis,tributary_noawssdk,tributary_nootel
FUNCTION_TAGS ?= $(shell cat .tributary/build-tags 2>/dev/null || echo $(LEAN_TAGS))
comma         := ,
LAMBDA_TAGS    = lambda.norpc,tributary_nofc$(if $(strip $(FUNCTION_TAGS)),$(comma)$(strip $(FUNCTION_TAGS)))
GO_BUILD = CGO_ENABLED=0 GOOS=linux GOARCH=$(GOARCH) go build -tags $(LAMBDA_TAGS) -trimpath -ldflags='-s -w' -o $(ARTIFACTS_DIR)/bootstrap
# A template generated from a config file (`tributary sam generate -c FILE
# -o template.yaml`) deploys that config: generate leaves it beside the
# template, and every build target copies it into the function's package,
# where the template's TRIBUTARY_CONFIG points. Without it the functions
# serve the config embedded in the binary: the bundled demo.
BUNDLE_CONFIG := .tributary/gateway.json
COPY_CONFIG    = if [ -f $(BUNDLE_CONFIG) ]; then cp $(BUNDLE_CONFIG) $(ARTIFACTS_DIR)/gateway.json; fi

PHONY_EXTRA := host-bootstraps
.PHONY: help run build test check bench clean template $(PHONY_EXTRA) build-GatewayFunction build-RestGatewayFunction

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

run: build ## serve the bundled demo config (with demo backends) on :8080
	./$(BIN) run $(ARGS)

build: ## build bin/tributary
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./local/tributary

# The AWS Lambda Runtime Interface Emulator (the one `sam local` runs),
# installed from the Go module proxy into bin/ (never a go.mod require).
RIE_VERSION := v0.0.0-20261030222936-bef5c4ba774d
RIE         := bin/aws-lambda-rie
HOST_BUILD   = CGO_ENABLED=0 $(GO) build -tags lambda.norpc,tributary_nofc -trimpath -ldflags='-s -w'

# The shared-state tests use a real Redis: TRIBUTARY_TEST_REDIS (host:port)
# names one, or .ci/with-redis starts redis-server on a free loopback port
# for the run (no persistence) and stops it; without either they skip.
test: check $(RIE) host-bootstraps ## the whole test suite, race detector on (what CI runs)
	RIE_BIN=$(CURDIR)/$(RIE) \
	GATEWAY_BOOTSTRAP=$(CURDIR)/.build/host/gateway/bootstrap \
	ENDPOINT_BOOTSTRAP=$(CURDIR)/.build/host/endpoint/bootstrap \
	bash .ci/with-redis $(GO) test -race -count=1 -timeout 12m ./...
	$(GO) test -count=1 -tags lambda.norpc,tributary_nofc -run 'TestFlexibleOff' ./config
	$(GO) test -count=1 -tags lambda.norpc,tributary_nofc,$(LEAN_TAGS) -run 'LeanRefuses$$' ./core/plan

$(RIE):
	GOBIN=$(CURDIR)/bin CGO_ENABLED=0 $(GO) install github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@$(RIE_VERSION)

host-bootstraps: ## build the Lambda bootstraps for this machine (run under the emulator by the tests)
	$(HOST_BUILD) -o .build/host/gateway/bootstrap ./functions/gateway
	$(HOST_BUILD) -o .build/host/endpoint/bootstrap ./functions/endpoint

check: ## gofmt and go vet
	@fmt_out="$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './.build/*'))"; \
	if [ -n "$$fmt_out" ]; then echo "gofmt needed:"; echo "$$fmt_out"; exit 1; fi
	$(GO) vet ./...

bench: ## micro-benchmarks of the hot path (shaping, routing, URL building, full request)
	$(GO) test -run '^$$' -bench . -benchmem -benchtime 2000x ./core/... ./adapters/...

template: ## regenerate template.yaml from the bundled config
	$(GO) run ./local/tributary sam generate --per-endpoint -o template.yaml

build-GatewayFunction build-RestGatewayFunction:
	$(GO_BUILD) ./functions/gateway
	@$(COPY_CONFIG)

build-Ep%:            # every per-endpoint function; new endpoints need no Makefile edit
	$(GO_BUILD) ./functions/endpoint
	@$(COPY_CONFIG)

clean: ## remove build outputs
	rm -rf bin .build

.PHONY: loadtest loadtest-quick
loadtest: ## gateway vs direct backend, side by side: req/s, p50/p99, RSS, CPU as ratios (~10 min)
	$(GO) run ./local/loadtest

loadtest-quick: ## the same in ~1 min: 3 s runs, 1 round
	$(GO) run ./local/loadtest -quick

.PHONY: bench-lambda
bench-lambda: $(RIE) ## Lambda cold start vs an aws-lambda-go hello world under the emulator, and arm64 sizes (~1 min)
	$(GO) run ./local/coldstart -rie $(RIE)

.PHONY: lambda
lambda: ## build the arm64 deployment zips: .build/lambda/gateway.zip, .build/lambda/endpoint.zip
	$(MAKE) --no-print-directory build-GatewayFunction ARTIFACTS_DIR=.build/lambda/gateway
	$(MAKE) --no-print-directory build-EpFunction ARTIFACTS_DIR=.build/lambda/endpoint
	@command -v zip >/dev/null || { echo "make lambda: zip is missing (apt-get install zip)"; exit 1; }
	cd .build/lambda/gateway && rm -f ../gateway.zip && zip -q -X ../gateway.zip bootstrap $$(ls gateway.json 2>/dev/null)
	cd .build/lambda/endpoint && rm -f ../endpoint.zip && zip -q -X ../endpoint.zip bootstrap $$(ls gateway.json 2>/dev/null)
	@ls -l .build/lambda/*.zip

# Fuzzing (security.md §6). `make fuzz` runs every fuzz target of the
# module, one at a time (go test fuzzes one target per run), for FUZZTIME
# each, and prints each target's number of executions. The targets are
# listed by `go test -list`, so a new target needs no edit here. A target
# that finds a failing input fails the run, after the other targets have
# had their turn. Go writes that input to testdata/fuzz/<Name>/ next to the
# target, and from then on plain `go test` (and so `make test`) replays it
# as a seed corpus entry: commit it with the fix. Not part of `make test`.
# FUZZPKGS narrows the packages and FUZZFLAGS adds go test flags, e.g.
# `make fuzz FUZZPKGS=./core/... FUZZTIME=1m FUZZFLAGS=-parallel=1`.
FUZZTIME  ?= 15s
FUZZPKGS  ?= ./...
FUZZFLAGS ?=

.PHONY: fuzz
fuzz: ## run every fuzz target for FUZZTIME (15s) each; fails if one finds a crasher
	@tmp=$$(mktemp -d) || exit 1; trap 'rm -rf "$$tmp"' EXIT; \
	if ! $(GO) test -list '^Fuzz' $(FUZZPKGS) > "$$tmp/list" 2>&1; then \
		cat "$$tmp/list"; echo "make fuzz: listing the fuzz targets failed"; exit 1; \
	fi; \
	awk '/^Fuzz[A-Za-z0-9_]*$$/ { names[n++] = $$1; next } \
	     /^ok / { for (i = 0; i < n; i++) if (!seen[$$2 " " names[i]]++) print $$2, names[i]; n = 0 }' \
		"$$tmp/list" > "$$tmp/targets"; \
	if [ ! -s "$$tmp/targets" ]; then echo "make fuzz: no fuzz targets in $(FUZZPKGS)"; exit 1; fi; \
	failed=0; \
	while read -r pkg name; do \
		echo "== $$name ($$pkg, $(FUZZTIME))"; \
		{ $(GO) test -run '^$$' -fuzz "^$${name}\$$" -fuzztime $(FUZZTIME) $(FUZZFLAGS) "$$pkg" < /dev/null 2>&1; \
		  echo $$? > "$$tmp/rc"; } | tee "$$tmp/log"; \
		execs=$$(grep -o 'execs: [0-9]*' "$$tmp/log" | tail -n 1 | cut -d' ' -f2); \
		detail=""; \
		if [ "$$(cat "$$tmp/rc")" = 0 ]; then result=ok; else \
			result=FAIL; failed=$$((failed + 1)); \
			input=$$(sed -n 's/.*Failing input written to //p' "$$tmp/log" | head -n 1); \
			if [ -n "$$input" ]; then detail=", failing input $$($(GO) list -f '{{.Dir}}' "$$pkg")/$$input"; \
			else detail=", no failing input written (a build or setup error: see its output above)"; fi; \
		fi; \
		echo "$$result $$name $$pkg: $${execs:-?} execs$$detail" >> "$$tmp/summary"; \
	done < "$$tmp/targets"; \
	echo "== summary (FUZZTIME=$(FUZZTIME))"; cat "$$tmp/summary"; \
	if [ $$failed -gt 0 ]; then \
		echo "make fuzz: $$failed target(s) failed; the failing inputs are under the packages' testdata/fuzz/"; exit 1; \
	fi

# The fault and soak suite (local/faults, local/soak). Neither
# target is part of `make test`, which runs the suite's short soak and its
# per-class tests.
SOAK_DURATION ?= 5m
SOAK_CLIENTS  ?= 200
SOAK_SEED     ?= 1

.PHONY: soak faults
soak: ## seeded random backend faults from SOAK_CLIENTS (200) clients for SOAK_DURATION (5m); violations, RSS/goroutines/FDs
	$(GO) run ./local/soak -duration $(SOAK_DURATION) -clients $(SOAK_CLIENTS) -seed $(SOAK_SEED)

faults: ## each fault class in turn, a client-disconnect storm and a slowloris, each reported (~1 min)
	$(GO) run ./local/soak -mode faults -clients $(SOAK_CLIENTS) -seed $(SOAK_SEED)

# Container images without a Docker daemon (infra/image, go-containerregistry):
# the static binary and the config in one layer on an empty base, non-root
# (65532), deterministic (mtimes = SOURCE_DATE_EPOCH or the epoch). Output:
# <dir>/oci (OCI layout) and <dir>/image.tar (`docker load`/`podman load`).
# IMAGE_ARCH defaults to this machine's (not GOARCH, whose default is the
# Lambda zips' arm64); IMAGE_CONFIG bakes in another config.
IMAGE_ARCH   ?= $(shell $(GO) env GOHOSTARCH)
IMAGE_CONFIG ?=
IMAGE_FLAGS   = --arch $(IMAGE_ARCH) --version $(VERSION) $(if $(IMAGE_CONFIG),-c $(IMAGE_CONFIG))

.PHONY: image image-lambda
image: ## OCI image of `tributary run` (no Docker): .build/image/{oci,image.tar}
	$(GO) run ./infra/image -o .build/image $(IMAGE_FLAGS)

image-lambda: ## Lambda container image (bootstrap entrypoint, no AWS base image): .build/image-lambda/{oci,image.tar}
	$(GO) run ./infra/image --lambda -o .build/image-lambda $(IMAGE_FLAGS)
