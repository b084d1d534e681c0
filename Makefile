# Developer and CI commands. `make test` is the full check CI runs.

GO ?= go
# staticcheck 2025.1.1; the module proxy only knows it by its semantic
# version, v0.6.1, which builds and runs with the installed Go 1.26.
STATICCHECK ?= $(GO) run honnef.co/go/tools/cmd/staticcheck@v0.6.1

# The repository's modules (go.work uses each): the root module, which is
# what a user requires, and the modules that keep their dependencies out of
# a user's module graph: the browser tests (chromedp), the Redis and NATS
# adapters, the form validator (go-playground/validator) and the example
# gallery (which uses both adapters). In workspace
# mode `./...` stays inside the root module, so the commands below name
# every module's packages.
MODULES := . e2e pubsub/redis pubsub/nats examples/gallery form/validate
PACKAGES := ./... $(addsuffix /...,$(addprefix ./,$(filter-out .,$(MODULES))))

# npm ci rewrites this file, so it stamps the installed dependencies.
CLIENT_DEPS := client/node_modules/.package-lock.json

.PHONY: client client-deps test examples bench bench-load mutate tidy

# client rebuilds client/bundle/liveview.js, the committed and embedded
# JavaScript bundle, from the pinned packages (installed first when the lock
# file changed); commit the result. TestBundleMatchesLockFile (in client/)
# fails until the committed bundle is exactly what this builds.
client: client-deps
	cd client && npm run build

# client-deps installs the pinned packages that the conformance test runs.
client-deps: $(CLIENT_DEPS)

$(CLIENT_DEPS): client/package.json client/package-lock.json
	cd client && npm ci
	@touch $@

test: client-deps
	$(GO) vet $(PACKAGES)
	@unformatted="$$(find . -name '*.go' -not -path './client/node_modules/*' -not -path './.git/*' -exec gofmt -l {} +)"; \
	if [ -n "$$unformatted" ]; then echo "gofmt: these files need formatting (run gofmt -w):"; echo "$$unformatted"; exit 1; fi
	$(STATICCHECK) $(PACKAGES)
	@# A fixed budget of differential fuzzing of render against html/template
	@# (render/htmltemplate_fuzz_test.go). A failing input is written to
	@# render/testdata/fuzz/FuzzHTMLTemplateDifferential: keep it as a seed.
	$(GO) test -run '^$$' -fuzz FuzzHTMLTemplateDifferential -fuzztime 60s ./render
	@# The other fuzz targets get a short budget each (their seed corpora
	@# also run with the tests below).
	@set -e; for target in FuzzParse:./render FuzzEscape:./render FuzzDecode:./internal/protocol \
		FuzzDecodeForm:./internal/protocol FuzzDiff:./internal/diff FuzzBind:./form; do \
		echo "fuzzing $${target%%:*} for 15 s"; \
		$(GO) test -run '^$$' -fuzz "^$${target%%:*}$$" -fuzztime 15s "$${target#*:}"; \
	done
	@# testsummary shows failures in full and lists skipped tests with their
	@# reasons (plain go test hides skips without -v), ends with a line
	@# "N passed, N failed, N skipped" (the last line of make test), and exits with go test's status.
	@# -timeout 30m: the Chromium package takes several minutes under -race on
	@# a shared CI machine; go test's default of 10 minutes per package is
	@# too tight for it there.
	$(GO) run ./internal/cmd/testsummary $(GO) test -race -count=1 -timeout 30m -json $(PACKAGES)

# tidy runs go mod tidy in every module (each keeps its own go.mod and
# go.sum; go.work only points development builds at the local modules).
tidy:
	@set -e; for m in $(MODULES); do echo "go mod tidy in $$m"; (cd $$m && $(GO) mod tidy); done

examples:
	$(GO) run ./examples/gallery

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./bench/ ./render/ ./internal/...

# bench-load runs the load tool (bench/load) against the bare
# gorilla/websocket floor (bench/floor) and the liveview server, each in its
# own process pinned to CPU 0 (the tool on the other CPU), with its defaults:
# 10,000 connected views, 10 s of closed-loop clicks by 100 and by 1,000
# clients, 5 broadcasts to all views, three times over; it prints a
# Markdown table of the medians with the ratio of ours to the floor (the
# table in bench/RESULTS.md). Five to eight minutes; LOAD_FLAGS=-quick runs
# 500 views and short phases once.
LOAD_FLAGS ?= -runs 3
bench-load:
	$(GO) run ./bench/load $(LOAD_FLAGS)

# mutate applies each deliberate bug listed in internal/cmd/mutate/mutants.txt
# to a temporary copy of the module and runs the tests of its package: every
# mutant should be killed (the tests fail). Not part of test or CI: it runs
# the root package's tests once per surviving mutant (up to an hour in
# all on 2 cores). The last result is in bench/MUTATION.md.
# MUTATE_FLAGS="-file session.go" runs the mutants of one file.
mutate:
	$(GO) run ./internal/cmd/mutate -check
	$(GO) run ./internal/cmd/mutate $(MUTATE_FLAGS)
