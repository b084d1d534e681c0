# Developer and CI commands. `make test` is the full check CI runs.

GO ?= go
# staticcheck 2025.1.1; the module proxy only knows it by its semantic
# version, v0.6.1, which builds and runs with the installed Go 1.26.
STATICCHECK ?= $(GO) run honnef.co/go/tools/cmd/staticcheck@v0.6.1

CLIENT_BUNDLE := client/dist/liveview.js
# npm ci rewrites this file, so it stamps the installed dependencies.
CLIENT_DEPS := client/node_modules/.package-lock.json

.PHONY: client test examples bench

# client builds the JavaScript bundle, installing the pinned packages first
# when the lock file changed; it does nothing when the bundle is current.
client: $(CLIENT_BUNDLE)

$(CLIENT_DEPS): client/package.json client/package-lock.json
	cd client && npm ci
	@touch $@

$(CLIENT_BUNDLE): $(CLIENT_DEPS) client/build.mjs $(wildcard client/src/*.js)
	cd client && npm run build

test: client
	$(GO) vet ./...
	@unformatted="$$(find . -name '*.go' -not -path './client/node_modules/*' -not -path './.git/*' -exec gofmt -l {} +)"; \
	if [ -n "$$unformatted" ]; then echo "gofmt: these files need formatting (run gofmt -w):"; echo "$$unformatted"; exit 1; fi
	$(STATICCHECK) ./...
	$(GO) test -race -count=1 ./...

examples: client
	$(GO) run ./examples/gallery

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./bench/ ./render/ ./internal/...
