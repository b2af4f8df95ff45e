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
#   FUZZTIME_SHORT=2000x  the same for `make fuzz-short`, a part of `make test`:
#                  a count of inputs, not a time. With a time, Go before
#                  1.27 can fail a target with "context deadline exceeded"
#                  as the time runs out, having found nothing
#                  (go.dev/issue/75804); a count has no deadline to race.
#   SOAKTIME=300   seconds of `make soak` (shmdemo chaos -seconds)
#   TESTTIMEOUT    -timeout of every `go test` in `make test`

GO          ?= go
GOFMT       ?= $(shell command -v gofmt 2>/dev/null || echo "$$($(GO) env GOROOT)/bin/gofmt")
RACE        ?= auto
FUZZTIME    ?= 30s
FUZZTIME_SHORT ?= 2000x
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
	bench cross fuzz fuzz-short fmt soak models

help: ## list the targets
	@echo 'Targets:'
	@awk -F ':.*## ' '/^[a-z][a-z-]*:.*## / { printf "  %-14s %s\n", $$1, $$2 }' $(MAKEFILE_LIST)
	@echo 'Variables: GO=$(GO) RACE=$(RACE) FUZZTIME=$(FUZZTIME) FUZZTIME_SHORT=$(FUZZTIME_SHORT) SOAKTIME=$(SOAKTIME) TESTTIMEOUT=$(TESTTIMEOUT)'

demo: ## run the bank deposit simulation on its defaults (shmdemo bank)
	$(GO) run ./cmd/shmdemo bank

test: vet models test-race test-portable fuzz-short cross-darwin fmt-check ## vet, SPIN models, race tests, portable waiter, short fuzzing, macOS compile, gofmt
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

fuzz-short: ## run each Fuzz target in the tree on FUZZTIME_SHORT inputs (default 2000x)
	@$(call run_fuzz,$(FUZZTIME_SHORT))

# A short chaos run (3 seconds) is part of `make test`, through the tests of
# cmd/shmdemo (TestChaos_Short_JSON).
soak: ## kill workers at random for SOAKTIME seconds (default 300), checking every invariant
	$(GO) run ./cmd/shmdemo chaos -seconds $(SOAKTIME)

# The runs of `make models`: a SPIN model and its spin -a options, joined
# by commas (-l: a non-progress-cycle run, for livelocks, instead of a
# safety run). What each option means is said atop each .pml; every run is
# exhaustive (-DCOLLAPSE only compresses the stored states); a model with
# nothing after its colon runs on its defaults. MODELS_JOBS runs go at
# once, in the order listed (each model's longest first, in pairs).
#
# The mutex's runs: with up to two deaths, with LockContext twice, with the
# defaults (one death), without any death, and with Lock only (-DCTX=0).
MODEL_RUNS = \
	internal/ring/ring.pml:-DSLEEP=0,-DMAXKILL=1,-DBATCH=2,-DEARLYCLOSE=1 \
	internal/ring/ring.pml:-DSLEEP=0,-DMAXKILL=2 \
	internal/ring/ring.pml:-DSLEEP=0,-DMAXKILL=1,-l \
	internal/ring/ring.pml:-DSLEEP=0,-DMAXKILL=2,-DCONF=2 \
	internal/ring/ring.pml:-DSLEEP=0,-DMAXKILL=1,-DCONF=2,-DBATCH=2,-DEARLYCLOSE=1 \
	internal/ring/ring.pml:-DCONF=2,-DMSGS=2 \
	internal/ring/ring.pml:-DCONF=2,-DMSGS=2,-DBATCH=2 \
	internal/ring/ring.pml:-DMSGS=1 \
	internal/ring/ring.pml:-DMSGS=1,-DCAP1 \
	shm/mutex.pml:-DITERS3=2,-DMAXKILL=2 \
	shm/mutex.pml:-DMAXKILL=2 \
	shm/mutex.pml: \
	shm/mutex.pml:-DCTX=0,-DMAXKILL=2 \
	shm/mutex.pml:-DMAXKILL=0
MODELS_JOBS ?= 2

# models builds each run's verifier (spin -a, then pan.c with $(CC)) in a
# temporary directory, runs it and prints one line with what it explored;
# a failed run prints pan's error and how to replay the counterexample.
models: ## check the SPIN models (the ring's and the mutex's; see MODEL_RUNS)
	@if ! command -v spin >/dev/null 2>&1; then \
		echo 'models: skipped: spin not installed (apt-get install spin)'; exit 0; fi; \
	if ! command -v $(CC) >/dev/null 2>&1; then \
		echo 'models: skipped: no C compiler ($(CC)) to build the verifiers'; exit 0; fi; \
	tmp=$$(mktemp -d) || exit 1; trap 'rm -rf "$$tmp"' EXIT; root=$$(pwd); \
	check() { \
		f=$${1%%:*}; opts=$$(echo "$${1#*:}" | tr , ' '); m=$${f##*/}; \
		cflag=-DSAFETY; lflag=; what=safety; \
		case " $$opts " in *' -l '*) opts=$$(echo " $$opts " | sed 's/ -l / /; s/^ //; s/ $$//'); \
			cflag=-DNP; lflag=-l; what=livelock;; esac; \
		mkdir "$$tmp/$$2" && cp "$$root/$$f" "$$tmp/$$2/" && cd "$$tmp/$$2" || return 1; \
		name="$$f$${opts:+ $$opts} ($$what)"; \
		spin -a $$opts "$$m" >spin.out 2>&1 || { echo "models: $$name: spin -a failed:"; cat spin.out; return 1; }; \
		$(CC) -O0 -w $$cflag -DCOLLAPSE -o pan pan.c >cc.out 2>&1 || \
			{ echo "models: $$name: $(CC) pan.c failed:"; cat cc.out; return 1; }; \
		./pan -m200000 -w24 $$lflag >pan.out 2>&1; \
		states=$$(awk '/states, stored/ { print $$1; exit }' pan.out); \
		mem=$$(awk '/total actual memory usage/ { print $$1; exit }' pan.out); \
		secs=$$(awk '/pan: elapsed time/ { print $$4; exit }' pan.out); \
		if grep -q 'errors: 0$$' pan.out && ! grep -q 'Search not completed\|max search depth too small' pan.out; then \
			echo "models: $$name: ok, $$states states, $${mem%.*} MB, $$secs s"; return 0; fi; \
		echo "models: $$name: FAILED after $$states states, $$secs s:"; \
		grep '^pan:[0-9]*:\|max search depth too small' pan.out | sed 's/^/    /'; \
		echo "    replay: cd \$$(mktemp -d) && cp $$root/$$f . && spin -a $$opts $$m &&" \
			"$(CC) $$cflag -o pan pan.c && ./pan -m200000 $$lflag; spin -t -p $$opts $$m"; \
		return 1; \
	}; \
	i=0; j=0; bad=0; \
	report() { wait; while [ $$j -lt $$i ]; do j=$$((j + 1)); cat "$$tmp/$$j.log"; \
		[ "$$(cat "$$tmp/$$j.rc")" = 0 ] || bad=$$((bad + 1)); done; }; \
	for r in $(MODEL_RUNS); do \
		i=$$((i + 1)); ( check "$$r" $$i >"$$tmp/$$i.log" 2>&1; echo $$? >"$$tmp/$$i.rc" ) & \
		[ $$((i % $(MODELS_JOBS))) -ne 0 ] || report; \
	done; report; \
	if [ $$bad -ne 0 ]; then echo "models: $$bad of $$i runs failed"; exit 1; fi

fmt: ## gofmt -w every .go file (tracked and new ones)
	@files=$$($(GO_FILES)); [ -z "$$files" ] || $(GOFMT) -w $$files
