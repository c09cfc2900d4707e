# Developer entry points; the build itself is Meson + Ninja.
#   make run        set up, build, migrate var/, load demo members, serve (demo data)
#   make test       the whole suite (scripts/test): build, sanitizers, fuzzing
#   make build      build into build/
#   make fmt        format the C sources in place (clang-format)
#   make fmt-check  fail if any C source is not formatted
#   make clean      remove build directories
#   make bench      benchmarks (bench/run): results in bench/results/latest.md

BUILDDIR ?= build
VAR ?= var
DEMO_MEMBERS = data/demo-members.csv
CLANG_FORMAT ?= clang-format

# Every C source of the tree, tracked or new, minus build output.
C_SOURCES = $(shell find src tests tools -path tests/fuzz/corpus -prune -o -type f \( -name '*.c' -o -name '*.h' \) -print 2>/dev/null) \
	$(wildcard *.c *.h)

.PHONY: all run test build setup fmt fmt-check clean
.PHONY: bench

all: build

setup:
	sh scripts/setup

$(BUILDDIR)/build.ninja:
	meson setup $(BUILDDIR)

build: setup $(BUILDDIR)/build.ninja
	ninja -C $(BUILDDIR)

run: build
	$(BUILDDIR)/qcra migrate --var $(VAR)
	if [ -f $(DEMO_MEMBERS) ]; then \
		$(BUILDDIR)/qcra member import --var $(VAR) $(DEMO_MEMBERS); \
	fi
	# The CA service beside the portal (initialised on first run).
	exec sh scripts/run $(BUILDDIR)/qcra $(VAR)

test:
	sh scripts/test

bench: build
	sh bench/run

fmt:
	$(CLANG_FORMAT) -i $(C_SOURCES)

fmt-check:
	$(CLANG_FORMAT) --dry-run --Werror $(C_SOURCES)

clean:
	rm -rf $(BUILDDIR) $(BUILDDIR)-san $(BUILDDIR)-tsan $(BUILDDIR)-fuzz
