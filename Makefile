# hekad build, run and test entry points. `make test` is what CI runs.
GO        ?= go
BIN       := bin
FUZZTIME  ?= 10s
PROTOC    ?= protoc
# hekad's own version and commit, printed by hekad -version (daemon/version.go).
# A build without them (go build, go install) falls back to Go's build info.
VERSION   ?= $(shell git describe --tags --dirty 2>/dev/null || echo devel)
COMMIT    ?= $(shell git rev-parse HEAD 2>/dev/null)$(shell git diff --quiet HEAD 2>/dev/null || echo " (modified)")
LDFLAGS   := -X 'github.com/hekad-go/hekad/daemon.version=$(VERSION)' -X 'github.com/hekad-go/hekad/daemon.commit=$(COMMIT)'

.PHONY: all build run test bench generate check-generate fuzz lint install

all: build

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN)/ ./cmd/...

# Builds hekad and runs it on its embedded default configuration.
run: build
	./$(BIN)/hekad

test:
	$(GO) vet ./...
	$(GO) test -race -shuffle=on -timeout 20m ./...

# Installs the binaries in $(PREFIX)/bin and hekad's Lua modules and plugins
# (share/lua_*, without their tests) in $(SHAREDIR), Heka's default share_dir.
# As a user: make install PREFIX=~/.local SHAREDIR=~/.local/share/heka (hekad
# finds <prefix>/share/heka beside its <prefix>/bin by itself).
PREFIX    ?= /usr/local
SHAREDIR  ?= /usr/share/heka
install: build
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 755 $(BIN)/* $(DESTDIR)$(PREFIX)/bin/
	cd share && find lua_* -name tests -prune -o -type f -name '*.lua' -print | \
		while read -r f; do install -D -m 644 "$$f" "$(DESTDIR)$(SHAREDIR)/$$f"; done

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

# Rebuilds the committed generated code: protoc from Debian's protobuf-compiler,
# protoc-gen-go at the version pinned by the `tool` line of go.mod.
generate:
	$(GO) build -o $(BIN)/protoc-gen-go google.golang.org/protobuf/cmd/protoc-gen-go
	$(PROTOC) --plugin=protoc-gen-go=$(BIN)/protoc-gen-go \
		--go_out=. --go_opt=module=github.com/hekad-go/hekad \
		-I message message/message.proto
	$(GO) generate ./...

# Fails when the committed generated code differs from what `make generate` writes.
check-generate: generate
	@git diff --exit-code -- message/pb docs/plugins.md || \
		{ echo "generated code is stale: run make generate and commit"; exit 1; }

# Runs every native fuzz target for FUZZTIME each.
fuzz:
	@set -e; for pkg in $$($(GO) list ./...); do \
		for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
			echo "== $$pkg $$f"; \
			$(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg; \
		done; \
	done

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); \
		if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
