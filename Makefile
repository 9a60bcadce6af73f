# notion-auth-proxy. `make help` lists the targets.

GO      ?= go
BINARY  := bin/notion-auth-proxy
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT  ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
LDFLAGS := -s -w -X main.version=$(VERSION) -X main.commit=$(COMMIT)
# make demo: the fake Notion API on this port, the proxy in front of it.
DEMO_PORT  ?= 8701
DEMO_TOKEN ?= ntn_demo_token_not_a_real_secret

.PHONY: help build run demo test bench bench-go bench-load lint docker clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

build: ## build bin/notion-auth-proxy (static)
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BINARY) ./cmd/notion-auth-proxy

run: ## run the proxy on 127.0.0.1:8700 (zero-config: set NOTION_API_TOKEN)
	$(GO) run -ldflags '$(LDFLAGS)' ./cmd/notion-auth-proxy serve

demo: ## run the proxy in front of the fake Notion API; no real token needed
	$(GO) build -o bin/fakenotion ./internal/notiontest/fakenotion
	$(GO) build -ldflags '$(LDFLAGS)' -o $(BINARY) ./cmd/notion-auth-proxy
	bin/fakenotion -listen 127.0.0.1:$(DEMO_PORT) -token $(DEMO_TOKEN) & fake=$$!; \
	trap 'kill $$fake 2>/dev/null' EXIT INT TERM; \
	NOTION_API_TOKEN=$(DEMO_TOKEN) NOTION_PROXY_UPSTREAM=http://127.0.0.1:$(DEMO_PORT) \
	$(BINARY) serve --config docs/demo.yaml --log-format console

test: compat/js/node_modules ## run every test, with the race detector
	$(GO) test -race -count=1 ./...

# The JS compatibility test drives the real @notionhq/client, pinned by the
# lock file.
compat/js/node_modules: compat/js/package.json compat/js/package-lock.json
	cd compat/js && npm ci --no-audit --no-fund
	@touch $@

bench: bench-go bench-load ## run the Go microbenchmarks and the load benchmark

bench-go: ## run the Go microbenchmarks
	$(GO) test -run '^$$' -bench . -benchmem ./...

# The load benchmark needs hey, nginx, caddy, curl and gnuplot; as root it
# installs the missing ones with apt-get, otherwise it says what to install.
# Results go to $(BENCH_OUT); docs/benchmarks.md describes them.
BENCH_OUT   ?= bin/bench
BENCH_TOOLS := hey:hey nginx:nginx caddy:caddy curl:curl gnuplot:gnuplot-nox

bench-load: build ## load benchmark: direct, proxy, nginx, Caddy on loopback (see docs/benchmarks.md)
	@missing=; for tp in $(BENCH_TOOLS); do \
		command -v $${tp%%:*} >/dev/null || missing="$$missing $${tp#*:}"; done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "installing:$$missing"; apt-get update -qq && apt-get install -y -qq $$missing; \
		else echo "bench-load needs:$$missing (apt-get install -y$$missing)"; exit 1; fi; \
	fi
	$(GO) build -o bin/fakenotion ./internal/notiontest/fakenotion
	bench/load.sh $(BENCH_OUT)

lint: ## go vet and a gofmt check
	$(GO) vet ./...
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

docker: ## build the container image
	docker build --build-arg VERSION=$(VERSION) --build-arg COMMIT=$(COMMIT) -t notion-auth-proxy:$(VERSION) .

clean: ## remove build output
	rm -rf bin
