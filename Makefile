# Tributary — build, run and test. `make help` lists the targets.
GO        ?= go
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -s -w -X main.version=$(VERSION)
BIN       := bin/tributary

# AWS Lambda builds (reference/lambda.md §7.2). `sam build` runs
# `make build-<LogicalId>` with ARTIFACTS_DIR set; run by hand, the binary
# lands in .build/<LogicalId>/bootstrap. GOARCH=amd64 builds for RIE here.
GOARCH ?= arm64
ARTIFACTS_DIR ?= .build/$(patsubst build-%,%,$@)
GO_BUILD = CGO_ENABLED=0 GOOS=linux GOARCH=$(GOARCH) go build -tags lambda.norpc -trimpath -ldflags='-s -w' -o $(ARTIFACTS_DIR)/bootstrap

.PHONY: help run build test check bench clean template build-GatewayFunction build-RestGatewayFunction

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

run: build ## serve the bundled demo config (with demo backends) on :8080
	./$(BIN) run

build: ## build bin/tributary
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./local

test: check ## the whole test suite, race detector on (what CI runs)
	$(GO) test -race -count=1 -timeout 10m ./...

check: ## gofmt and go vet
	@fmt_out="$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './.build/*'))"; \
	if [ -n "$$fmt_out" ]; then echo "gofmt needed:"; echo "$$fmt_out"; exit 1; fi
	$(GO) vet ./...

bench: ## micro-benchmarks of the hot path (shaping, routing, URL building, full request)
	$(GO) test -run '^$$' -bench . -benchmem -benchtime 2000x ./core/... ./adapters/...

template: ## regenerate template.yaml from the bundled config
	$(GO) run ./local sam generate --per-endpoint -o template.yaml

build-GatewayFunction build-RestGatewayFunction:
	$(GO_BUILD) ./functions/gateway

build-Ep%:            # every per-endpoint function; new endpoints need no Makefile edit
	$(GO_BUILD) ./functions/endpoint

clean: ## remove build outputs
	rm -rf bin .build
