# Kho — the data warehouse of Sơn La province.
# `make demo` runs the whole job on the built-in defaults; `make test` runs every test.

GO       ?= go
TAGS     := duckdb_arrow
GOFLAGS  := -tags=$(TAGS)
BIN      := bin/kho
DATA     ?= kho-data
SCALE    ?= 1
export GOFLAGS

.PHONY: build demo test test-deps test-short test-interop bench bench-quick lint fuzz services clean

build:
	$(GO) build -o $(BIN) ./cmd/kho

# The demo: a synthetic province -> pipelines -> lake -> marts -> the leadership summary.
# Running it twice gives the same lake contents.
demo: build
	./$(BIN) sample-data --out $(DATA)/sample --scale $(SCALE)
	KHO_LOG_LEVEL=warn ./$(BIN) run --all
	./$(BIN) summary

# Every test, against the real PostgreSQL and MariaDB on loopback (see .ci/run
# for starting them). Integration tests fail, never skip, when KHO_TEST_REQUIRE_SERVICES=1.
test: test-deps
	$(GO) vet ./...
	$(GO) test -count=1 -timeout 20m ./...

# What the tests need beside the Go modules: the CKAN clients the portal's tests
# drive, ckan.js (from the npm registry) and ckanapi (from PyPI, in a venv under
# ~/.cache/kho-ckanapi). Servers and Chromium: see .ci/run.
CKANAPI_VENV ?= $(HOME)/.cache/kho-ckanapi/venv
test-deps:
	@test -d server/pages/testdata/ckanjs/node_modules || \
		(cd server/pages/testdata/ckanjs && npm ci --no-audit --no-fund --loglevel=error)
	@test -x $(CKANAPI_VENV)/bin/python || python3 -m venv $(CKANAPI_VENV)
	@cmp -s server/pages/testdata/ckanapi/requirements.txt $(CKANAPI_VENV)/requirements.txt || \
		($(CKANAPI_VENV)/bin/pip install -q --disable-pip-version-check -r server/pages/testdata/ckanapi/requirements.txt && \
		cp server/pages/testdata/ckanapi/requirements.txt $(CKANAPI_VENV)/requirements.txt)

# The lake under other engines: pyiceberg and Spark (pinned in interop/) read the
# sample province on the SQLite and PostgreSQL catalogs and agree with Kho row for
# row; Spark appends and compacts. Installs its tools under ~/.cache/kho-interop.
INTEROP_TIMEOUT ?= 40m
test-interop:
	timeout $(INTEROP_TIMEOUT) bash interop/run.sh

test-short:
	$(GO) test -short ./...

# Bounded fuzzing of what parses outside input (also run by `make test` on the seed corpora).
FUZZTIME ?= 10s
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzCSV$$' -fuzztime $(FUZZTIME) ./connectors/csv/
	$(GO) test -run '^$$' -fuzz '^FuzzRepair$$' -fuzztime $(FUZZTIME) ./internal/vnenc/
	$(GO) test -run '^$$' -fuzz '^FuzzDossierDecode$$' -fuzztime $(FUZZTIME) ./connectors/dvcqg/
	$(GO) test -run '^$$' -fuzz '^FuzzCheck$$' -fuzztime $(FUZZTIME) ./security/sandbox/
	$(GO) test -run '^$$' -fuzz '^FuzzCatalogRelocation$$' -fuzztime $(FUZZTIME) ./server/engine/
	$(GO) test -run '^$$' -fuzz '^FuzzExcel$$' -fuzztime $(FUZZTIME) ./connectors/excel/
	$(GO) test -run '^$$' -fuzz '^FuzzParseVietnameseDate$$' -fuzztime $(FUZZTIME) ./internal/vndate/
	$(GO) test -run '^$$' -fuzz '^FuzzNormalize$$' -fuzztime $(FUZZTIME) ./schemas/vntext/
	$(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME) ./schemas/expr/

# Speed and memory against the physical limits (bench/, docs/bench.md): a table on
# stdout, JSON in bench/results/. Needs PostgreSQL and MariaDB on loopback.
BENCH_ROWS   ?= 1000000,10000000
BENCH_MYSQL_ROWS ?= 1000000
BENCH_SCALE  ?= 100
BENCH_FLAGS  ?=
bench: build
	$(GO) run ./bench -kho $(BIN) -rows $(BENCH_ROWS) -mysql-rows $(BENCH_MYSQL_ROWS) -scale $(BENCH_SCALE) $(BENCH_FLAGS)

# The same at 100k rows, to try the harness in a minute or two.
bench-quick: build
	$(GO) run ./bench -kho $(BIN) -rows 100000 -mysql-rows 100000 -xlsx-rows 100000 -scale 2 -query-scale 0.5 -results bench/results/quick $(BENCH_FLAGS)

lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (gofmt -l $$(git ls-files '*.go'); exit 1)
	$(GO) vet ./...

clean:
	rm -rf bin $(DATA)
