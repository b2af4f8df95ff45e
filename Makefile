# How shmkit is worked on. `make help` lists the targets; a machine with
# only Go installed can run `make demo` and `make test`.
#
# GOFLAGS from the environment is respected and applies to every go command
# here. Flags that only make sense for one command (-race, -count, -timeout,
# -tags) stay on that command, so they never leak into build, vet or cross.
#
# Variables:
#   GO=go          the go command
#   RACE=auto      1: test with -race (fails without a C compiler);
#                  0: without; auto: with -race when cgo is available
#   FUZZTIME=30s   how long `make fuzz` runs each fuzz target
#   FUZZTIME_SHORT=1s  the same for `make fuzz-short`, a part of `make test`
#   SOAKTIME=300   seconds of `make soak` (shmdemo chaos -seconds)
#   TESTTIMEOUT    -timeout of every `go test` in `make test`

GO          ?= go
GOFMT       ?= $(shell command -v gofmt 2>/dev/null || echo "$$($(GO) env GOROOT)/bin/gofmt")
RACE        ?= auto
FUZZTIME    ?= 30s
FUZZTIME_SHORT ?= 1s
SOAKTIME    ?= 300
TESTTIMEOUT ?= 240s

# The platforms of `make cross`; `make test` checks the darwin ones.
CROSS_PLATFORMS  := linux/amd64 linux/arm64 darwin/amd64 darwin/arm64
DARWIN_PLATFORMS := darwin/amd64 darwin/arm64

# The .go files to format: tracked and new (not ignored) ones in a git
# checkout, all of them otherwise; never those under testdata (not Go
# packages, as for go fmt), nor tracked files deleted from the work tree.
GO_FILES = { git ls-files -co --exclude-standard -- '*.go' 2>/dev/null || \
	find . -name '*.go' -not -path './.git/*'; } | \
	while read -r f; do case "$$f" in testdata/*|*/testdata/*) ;; *) [ ! -f "$$f" ] || echo "$$f" ;; esac; done

# cross_check builds and vets every package for each os/arch in $(1),
# without cgo, as a cross-compiling machine without a C toolchain does.
cross_check = for p in $(1); do \
		echo "==> GOOS=$${p%/*} GOARCH=$${p\#*/}: go build ./... && go vet ./..."; \
		CGO_ENABLED=0 GOOS=$${p%/*} GOARCH=$${p\#*/} $(GO) build ./... || exit 1; \
		CGO_ENABLED=0 GOOS=$${p%/*} GOARCH=$${p\#*/} $(GO) vet ./... || exit 1; \
	done

# run_fuzz runs each Fuzz target in the tree (found with go test -list) for
# $(1), one after the other: fuzzing uses every core.
run_fuzz = out=$$($(GO) test -list '^Fuzz' ./...) || { echo "$$out"; exit 1; }; \
	targets=$$(echo "$$out" | awk '/^Fuzz[^ \t]*$$/ { names = names " " $$1; next } \
		$$1 == "ok" { n = split(names, a, " "); for (i = 1; i <= n; i++) print $$2, a[i]; names = "" }'); \
	if [ -z "$$targets" ]; then echo 'fuzz: no Fuzz targets in the tree'; exit 0; fi; \
	echo "$$targets" | while read -r pkg name; do \
		echo "==> $$pkg $$name for $(1)"; \
		$(GO) test -run='^$$' -fuzz='^'"$$name"'$$' -fuzztime=$(1) "$$pkg" </dev/null || exit 1; \
	done

.DEFAULT_GOAL := help
# The steps of `make test` run in the order listed, even under make -j.
.NOTPARALLEL:

.PHONY: help demo test vet test-race test-portable cross-darwin fmt-check \
	bench cross fuzz fuzz-short fmt soak

help: ## list the targets
	@echo 'Targets:'
	@awk -F ':.*## ' '/^[a-z][a-z-]*:.*## / { printf "  %-14s %s\n", $$1, $$2 }' $(MAKEFILE_LIST)
	@echo 'Variables: GO=$(GO) RACE=$(RACE) FUZZTIME=$(FUZZTIME) FUZZTIME_SHORT=$(FUZZTIME_SHORT) SOAKTIME=$(SOAKTIME) TESTTIMEOUT=$(TESTTIMEOUT)'

demo: ## run the bank deposit simulation on its defaults (shmdemo bank)
	$(GO) run ./cmd/shmdemo bank

test: vet test-race test-portable fuzz-short cross-darwin fmt-check ## vet, race tests, portable waiter, short fuzzing, macOS compile, gofmt
	@echo 'make test: all passed'

vet: ## go vet every package
	$(GO) vet ./...

test-race: ## go test every package with the race detector (see RACE)
	@race=; \
	case '$(RACE)' in \
	1) race=-race ;; \
	0) ;; \
	*) if [ "$$($(GO) env CGO_ENABLED)" = 1 ]; then race=-race; else \
		echo 'note: cgo is off (no C compiler?): testing without -race; RACE=1 insists on it'; fi ;; \
	esac; \
	echo "$(GO) test $$race -count=1 -timeout $(TESTTIMEOUT) ./..."; \
	$(GO) test $$race -count=1 -timeout $(TESTTIMEOUT) ./...

test-portable: ## go test the portable (macOS) waiter on this machine
	$(GO) test -count=1 -timeout $(TESTTIMEOUT) -tags shmkit_portable ./internal/futex/ ./shm/

cross-darwin: ## go build and go vet for darwin/amd64 and darwin/arm64
	@$(call cross_check,$(DARWIN_PLATFORMS))

fmt-check: ## fail if gofmt would change any .go file
	@files=$$($(GO_FILES)); \
	[ -z "$$files" ] && exit 0; \
	bad=$$($(GOFMT) -l $$files) || exit 1; \
	if [ -n "$$bad" ]; then echo 'gofmt needed (run make fmt):'; echo "$$bad"; exit 1; fi

# bench runs the go test benchmarks (in pairs: ours and a baseline), then
# the performance table of `shmdemo bench`, each figure next to a baseline
# measured in the same run (about a minute; `shmdemo bench -quick` for less).
bench: ## run every go test benchmark once, with allocations, then shmdemo bench
	$(GO) test -run='^$$' -bench=. -benchmem -count=1 ./...
	$(GO) run ./cmd/shmdemo bench

cross: ## go build and go vet for linux and darwin, amd64 and arm64
	@$(call cross_check,$(CROSS_PLATFORMS))

fuzz: ## run each Fuzz target in the tree for FUZZTIME (default 30s)
	@$(call run_fuzz,$(FUZZTIME))

fuzz-short: ## run each Fuzz target in the tree for FUZZTIME_SHORT (default 1s)
	@$(call run_fuzz,$(FUZZTIME_SHORT))

# A short chaos run (3 seconds) is part of `make test`, through the tests of
# cmd/shmdemo (TestChaos_Short_JSON).
soak: ## kill workers at random for SOAKTIME seconds (default 300), checking every invariant
	$(GO) run ./cmd/shmdemo chaos -seconds $(SOAKTIME)

fmt: ## gofmt -w every .go file (tracked and new ones)
	@files=$$($(GO_FILES)); [ -z "$$files" ] || $(GOFMT) -w $$files
