# Thin wrapper over CMake presets. `make run` and `make test` work on a fresh
# Debian 12 machine as root: both install what is missing first.
.PHONY: deps run test build debug release bench format clean

JOBS ?= $(shell nproc)
DB ?= var/replydesk.db

deps:
	@scripts/install-deps.sh

release: deps
	@cmake --preset release >/dev/null
	@cmake --build --preset release -j $(JOBS)

debug: deps
	@cmake --preset debug >/dev/null
	@cmake --build --preset debug -j $(JOBS)

build: release

run: release
	@scripts/run.sh build/release/src/app/replydesk $(DB)

# The whole suite on the sanitizer build, against SQLite and a throwaway
# PostgreSQL cluster started on 127.0.0.1 (stopped afterwards).
test: debug
	@LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp \
	  scripts/with-test-postgres.sh ctest --test-dir build/debug --output-on-failure -j $(JOBS)

bench: release
	@bench/run_all.sh build/release/src/app/replydesk

format:
	@git ls-files '*.h' '*.cc' | xargs clang-format -i

clean:
	rm -rf build
