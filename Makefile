# notion-auth-proxy. `make help` lists the targets.

GO      ?= go
BINARY  := bin/notion-auth-proxy
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT  ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
LDFLAGS := -s -w -X main.version=$(VERSION) -X main.commit=$(COMMIT)
# make demo: the fake Notion API on this port, the proxy in front of it.
DEMO_PORT  ?= 8701
DEMO_TOKEN ?= ntn_demo_token_not_a_real_secret

.PHONY: help build run demo test bench bench-go bench-tools bench-load bench-gc bench-notion bench-rtt bench-startup bench-dataplane lint docker clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

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

bench: bench-go bench-load bench-gc bench-notion bench-rtt bench-startup ## run every benchmark (see docs/benchmarks.md)

bench-go: ## run the Go microbenchmarks
	$(GO) test -run '^$$' -bench . -benchmem ./...

# The benchmarks need hey, nginx, caddy, curl, gnuplot and redis-server; as
# root bench-tools installs the missing ones with apt-get, otherwise it says
# what to install. It builds vegeta, the fixed-rate load generator, into
# bin/tools with go install. Results go to $(BENCH_OUT); docs/benchmarks.md
# describes them.
BENCH_OUT   ?= bin/bench
BENCH_TOOLS := hey:hey nginx:nginx caddy:caddy curl:curl gnuplot:gnuplot-nox redis-server:redis-server
VEGETA      := github.com/tsenart/vegeta/v12@v12.13.0

bench-tools:
	@missing=; for tp in $(BENCH_TOOLS); do \
		command -v $${tp%%:*} >/dev/null || missing="$$missing $${tp#*:}"; done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "installing:$$missing"; apt-get update -qq && apt-get install -y -qq $$missing; \
		else echo "the benchmarks need:$$missing (apt-get install -y$$missing)"; exit 1; fi; \
	fi
	@[ -x bin/tools/vegeta ] || GOBIN=$(CURDIR)/bin/tools $(GO) install $(VEGETA)

bench-load: build bench-tools ## load benchmark: direct, proxy, nginx, Caddy on loopback
	$(GO) build -o bin/fakenotion ./internal/notiontest/fakenotion
	bench/load.sh $(BENCH_OUT)

# The collector settings against each other: the release default (GOGC=400,
# GOMEMLIMIT=48MiB), Go's default and GOGC=400 without a limit, with nginx
# for reference; more, shorter rounds, so each comparison is close in time.
bench-gc: build bench-tools ## GOGC/GOMEMLIMIT as levers at saturation
	$(GO) build -o bin/fakenotion ./internal/notiontest/fakenotion
	BENCH_TARGETS="proxy nginx" BENCH_ROUNDS=$${BENCH_ROUNDS:-15} BENCH_DURATION=$${BENCH_DURATION:-3s} BENCH_RATE=$${BENCH_RATE:-0} \
	BENCH_PROXY_VARIANTS="gogc100:GOGC=100,GOMEMLIMIT=off gogc400:GOGC=400,GOMEMLIMIT=off" \
		bench/load.sh $(BENCH_OUT)/gc

# Other data paths, as measuring sticks (bench/dataplane, a module of its own
# so that fasthttp never enters the proxy's build): the floor of the proxy's
# design, and fasthttp's server in front of net/http's client or on both sides.
# Not part of bench: it answers a design question, not a regression one.
DATAPLANE := $(CURDIR)/bin/dataplane
bench-dataplane: build bench-tools ## the proxy against the smallest proxy of three data paths
	$(GO) build -o bin/fakenotion ./internal/notiontest/fakenotion
	cd bench/dataplane && CGO_ENABLED=0 $(GO) build -trimpath -o $(DATAPLANE) .
	BENCH_TARGETS="proxy nginx" BENCH_PROXY_VARIANTS="$(foreach m,reverseproxy fasthttp-server fasthttp,$(m):PROXY_BIN=$(DATAPLANE),DATAPLANE_MODE=$(m))" \
		bench/load.sh $(BENCH_OUT)/dataplane

bench-notion: build bench-tools ## the Notion workload: 60 clients against Notion's rate limit
	$(GO) run ./bench/notion -proxy $(BINARY) -out $(BENCH_OUT)

bench-rtt: build bench-tools ## connection reuse over a 50 ms round trip: curl direct vs through the proxy
	$(GO) run ./bench/rtt -proxy $(BINARY) -out $(BENCH_OUT)

bench-startup: build ## exec to /readyz 200, and idle RSS
	$(GO) run ./bench/startup -proxy $(BINARY) -out $(BENCH_OUT)

lint: ## go vet, a gofmt check, and the Windows and macOS builds
	$(GO) vet ./...
	GOOS=windows $(GO) vet ./credstore ./internal/atomicfile
	GOOS=windows $(GO) build ./...
	GOOS=darwin $(GO) build ./...
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

docker: ## build the container image
	docker build --build-arg VERSION=$(VERSION) --build-arg COMMIT=$(COMMIT) -t notion-auth-proxy:$(VERSION) .

clean: ## remove build output
	rm -rf bin
