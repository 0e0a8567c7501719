BINDIR ?= build
GO ?= go
LDFLAGS := -X github.com/cosmos/cosmos-sdk/version.Name=fog \
	-X github.com/cosmos/cosmos-sdk/version.AppName=fogd \
	-X github.com/cosmos/cosmos-sdk/version.Version=$(shell git describe --tags --always --dirty 2>/dev/null || echo dev) \
	-X github.com/cosmos/cosmos-sdk/version.Commit=$(shell git rev-parse HEAD 2>/dev/null)

.PHONY: build install localnet localnet-stop test test-long test-sim fuzz proto-gen proto-check bench bench-load workloads

build:
	@echo "building $(BINDIR)/fogd (the first build compiles the Cosmos SDK: several minutes on 2 cores; later ones take seconds)"
	$(GO) build -ldflags '$(LDFLAGS)' -o $(BINDIR)/fogd ./cmd/fogd

install:
	$(GO) install -ldflags '$(LDFLAGS)' ./cmd/fogd

## localnet: build fogd, start a 1-validator chain under .localnet/ and run a demo auction.
localnet: build workloads
	./scripts/localnet.sh

localnet-stop:
	./scripts/localnet.sh stop

## test: everything CI runs: vet, generated-code check, unit, property and black-box tests, and every
## fuzz target for a few seconds.
test: proto-check
	$(GO) vet ./...
	$(GO) test ./... -count=1 -timeout 25m
	$(MAKE) fuzz FUZZTIME=2s

# RAPID_PKGS: the packages whose tests import pgregory.net/rapid, the only test binaries that
# define -rapid.checks (any other test binary refuses the flag).
RAPID_PKGS = $(shell $(GO) list -f '{{range .TestImports}}{{if eq . "pgregory.net/rapid"}}{{$$.ImportPath}} {{end}}{{end}}{{range .XTestImports}}{{if eq . "pgregory.net/rapid"}}{{$$.ImportPath}} {{end}}{{end}}' ./... | tr ' ' '\n' | sort -u)

## test-long: the packages with property tests, every property checked 2,000 times (rapid's default is 100),
## the multi-validator fault suite (tests/multinode) and the e2e suite ending in an export imported
## into a new chain (tests/e2e), both behind the build tag long, and the long simulation (test-sim).
test-long:
	$(GO) test $(RAPID_PKGS) -count=1 -timeout 60m -rapid.checks=2000
	$(GO) test -tags long ./tests/multinode/ -count=1 -timeout 40m
	$(GO) test -tags long ./tests/e2e/ -count=1 -timeout 40m
	$(MAKE) test-sim

## test-sim: the long simulation (app/sim_test.go): SIM_SEEDS seeds × SIM_BLOCKS blocks of random messages
## with every invariant checked after every block, then import/export, blocks after import and
## determinism on SIM_CHECK_BLOCKS blocks. `make test` runs the short variant (50 blocks × 2 seeds).
SIM_SEEDS ?= 10
SIM_BLOCKS ?= 500
SIM_BLOCK_SIZE ?= 50
SIM_CHECK_BLOCKS ?= 200
test-sim:
	$(GO) test ./app -run '^TestFullAppSimulation$$' -count=1 -timeout 6h -v \
		-NumSeeds=$(SIM_SEEDS) -NumBlocks=$(SIM_BLOCKS) -BlockSize=$(SIM_BLOCK_SIZE)
	$(GO) test ./app -run '^(TestAppImportExport|TestAppBlocksAfterImport|TestAppStateDeterminism)$$' -count=1 -timeout 3h -v \
		-NumBlocks=$(SIM_CHECK_BLOCKS) -BlockSize=$(SIM_BLOCK_SIZE)

## fuzz: every Go fuzz target in the repository, FUZZTIME each (the seed corpora already run in make test).
FUZZTIME ?= 30s
# FUZZMINIMIZE bounds the shrinking of each new input: the app-wide targets run a few hundred inputs a
# second, and shrinking a kilobyte seed with the default 60s budget stalls a short run.
FUZZMINIMIZE ?= 20x
fuzz:
	@set -e; grep -rl --include='*_test.go' '^func Fuzz' . | sort | while read -r file; do \
		for name in $$(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*/\1/p' "$$file"); do \
			echo "fuzz $$(dirname "$$file") $$name"; \
			GO="$(GO)" ./scripts/fuzz-one "$$(dirname "$$file")" "$$name" $(FUZZTIME) $(FUZZMINIMIZE); \
		done; \
	done

## proto-gen: regenerate Go code from proto/ (Go only: scripts/protoc-go, pinned plugins, module cache).
proto-gen:
	./scripts/protocgen.sh

## proto-check: fail if regenerating the protobuf code changes it.
proto-check:
	./scripts/proto-check.sh

bench:
	./scripts/bench

## bench-load: chain throughput on one fresh single-validator node under .bench-load/ (scripts/bench-load):
## confirmed tx/s of MsgSend, MsgCommitBid and MsgRevealBid, and gRPC query latency with 100 clients.
bench-load: build
	./scripts/bench-load

## workloads: build every example workload into $(BINDIR)/workloads/<name>.wasm (WASI preview 1).
## Go ones with Go; C ones (a directory of *.c) with clang and wasi-libc, skipped with a message if
## they are missing (Debian: clang-14 lld-14 wasi-libc libclang-rt-14-dev-wasm32).
CLANG ?= $(shell for c in clang clang-14; do command -v $$c >/dev/null && echo $$c && break; done)
workloads:
	@mkdir -p $(BINDIR)/workloads
	@for dir in examples/workloads/*/; do \
		name=$$(basename $$dir); \
		if ls $$dir*.c >/dev/null 2>&1; then \
			if [ -z "$(CLANG)" ] || ! echo 'int main(void){return 0;}' | $(CLANG) --target=wasm32-wasi -x c -o /dev/null - 2>/dev/null; then \
				echo "skipping $$name: C workloads need clang with wasi-libc (apt-get install clang-14 lld-14 wasi-libc libclang-rt-14-dev-wasm32)"; \
				continue; \
			fi; \
			echo "$(BINDIR)/workloads/$$name.wasm"; \
			$(CLANG) --target=wasm32-wasi -O2 -msimd128 -o $(BINDIR)/workloads/$$name.wasm $$dir*.c || exit 1; \
			continue; \
		fi; \
		echo "$(BINDIR)/workloads/$$name.wasm"; \
		GOOS=wasip1 GOARCH=wasm $(GO) build -o $(BINDIR)/workloads/$$name.wasm ./$$dir || exit 1; \
	done
