# ftptrace: make demo shows the main job, make test proves it.
GO       ?= go
BIN      := bin/ftptrace
ARTICLE  := testdata/pcaps/article-active.pcap
FUZZTIME ?= 30s

PREFIX   ?= /usr/local
DESTDIR  ?=

.PHONY: build libpcap demo test e2e e2e-ingest fuzz bench bench-data bench-live corpus fixtures fixtures-synth vet fmt clean install uninstall man static

# -buildvcs=auto: --version names the commit (debug.ReadBuildInfo), even
# where GOFLAGS turns the stamping off.
build: libpcap
	$(GO) build -buildvcs=auto -o $(BIN) ./cmd/ftptrace

# A static binary without cgo: it reads capture files, but cannot capture
# live (no libpcap); -i says how to get a build that can.
static:
	CGO_ENABLED=0 $(GO) build -o bin/ftptrace-static ./cmd/ftptrace

# Installs the binary, the manual page and the shell completions under
# $(DESTDIR)$(PREFIX) (PREFIX=$$HOME/.local for one user, no root).
install: build
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
	  $(DESTDIR)$(PREFIX)/share/bash-completion/completions \
	  $(DESTDIR)$(PREFIX)/share/zsh/site-functions \
	  $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/ftptrace
	install -m 644 docs/ftptrace.1 $(DESTDIR)$(PREFIX)/share/man/man1/ftptrace.1
	./$(BIN) completion bash > $(DESTDIR)$(PREFIX)/share/bash-completion/completions/ftptrace
	./$(BIN) completion zsh > $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_ftptrace
	./$(BIN) completion fish > $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/ftptrace.fish
	@echo "installed $(DESTDIR)$(PREFIX)/bin/ftptrace (man ftptrace; completions for bash, zsh, fish)"

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/ftptrace $(DESTDIR)$(PREFIX)/share/man/man1/ftptrace.1 \
	  $(DESTDIR)$(PREFIX)/share/bash-completion/completions/ftptrace \
	  $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_ftptrace \
	  $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/ftptrace.fish

# The manual page, from the same text as -h (TestManPageUpToDate checks it).
man:
	$(GO) run ./cmd/ftptrace help man > docs/ftptrace.1

# Live capture links libpcap (cgo): its headers must be there to build.
libpcap:
	@if [ ! -e /usr/include/pcap/pcap.h ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing libpcap-dev (needed to build ftptrace)"; \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpcap-dev >/dev/null || \
	    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpcap-dev >/dev/null; }; \
	  else \
	    echo "ftptrace needs the libpcap headers: sudo apt-get install libpcap-dev"; exit 1; \
	  fi; \
	fi

demo: build
	./$(BIN) $(ARTICLE)

test: libpcap
	$(GO) vet ./...
	# Other platforms build too: 32-bit int (386) and no amd64 assembly (arm64).
	CGO_ENABLED=0 GOARCH=386 $(GO) build -o /dev/null ./...
	CGO_ENABLED=0 GOARCH=arm64 $(GO) build -o /dev/null ./...
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$unformatted" ]; then echo "gofmt wants to reformat:"; echo "$$unformatted"; exit 1; fi
	$(GO) test ./...
	# The goroutines (prefetch, hashing in place, background writer) under the race detector.
	$(GO) test -race -run 'TestGolden|TestEach|TestPrefetch|TestDecodingPrefetch|TestFollow|TestBulkLane|TestCLI|TestHashKeeps|TestHashWorkers|TestHashJobs|TestHashQueue|TestHashesThrough|TestSlowTransfer|TestInBackground' ./cmd/ftptrace ./reassembly ./analyzer ./tools/ftpbench-gen

# Each parser's fuzz target for FUZZTIME (go test runs one -fuzz target at a time).
fuzz:
	$(GO) test ./analyzer -run '^$$' -fuzz '^FuzzParseCommand$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 10s
	$(GO) test ./analyzer -run '^$$' -fuzz '^FuzzReplyReader$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 10s
	$(GO) test ./analyzer -run '^$$' -fuzz '^FuzzLineSplitterRuns$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 10s
	$(GO) test ./analyzer -run '^$$' -fuzz '^FuzzDataAddress$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 10s
	$(GO) test ./analyzer -run '^$$' -fuzz '^FuzzControlStream$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 10s
	$(GO) test ./analyzer -run '^$$' -fuzz '^FuzzDataLook$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 10s
	$(GO) test ./report -run '^$$' -fuzz '^FuzzPipeline$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 10s
	$(GO) test ./report -run '^$$' -fuzz '^FuzzAppendString$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 10s
	$(GO) test ./report -run '^$$' -fuzz '^FuzzAppendTime$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 10s
	$(GO) test ./report -run '^$$' -fuzz '^FuzzFill$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 10s
	$(GO) test ./report -run '^$$' -fuzz '^FuzzZeekString$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 10s
	$(GO) test ./report -run '^$$' -fuzz '^FuzzZeekPath$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 10s
	$(GO) test ./report -run '^$$' -fuzz '^FuzzEscapeUnsafe$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 10s
	$(GO) test ./reassembly -run '^$$' -fuzz '^FuzzBlocks$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 10s
	$(GO) test ./reassembly -run '^$$' -fuzz '^FuzzPcapVariant$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 10s
	$(GO) test ./reassembly -run '^$$' -fuzz '^FuzzNetMon$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 10s
	$(GO) test ./reassembly -run '^$$' -fuzz '^FuzzISeries$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 10s
	$(GO) test ./reassembly -run '^$$' -fuzz '^FuzzNotACapture$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 10s
	$(GO) test ./reassembly -run '^$$' -fuzz '^FuzzDecodeFast$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 10s
	$(GO) test ./reassembly -run '^$$' -fuzz '^FuzzStamp$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 10s
	$(GO) test ./reassembly -run '^$$' -fuzz '^FuzzFactsParsers$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 10s
	$(GO) test ./reassembly -run '^$$' -fuzz '^FuzzLaneSameAsGopacket$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 10s
	$(GO) test ./tools/workfloor -run '^$$' -fuzz '^FuzzFileData$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 10s
	$(GO) test ./tools/workfloor -run '^$$' -fuzz '^FuzzControlShare$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 10s

# ftptrace against tshark over testdata/pcaps and ../shared/pcaps: fails on a
# disagreement not listed in testdata/corpus-disagreements.txt, or a listed one gone.
corpus: build
	FTPTRACE=$(CURDIR)/$(BIN) bash scripts/corpus.sh

# Benchmark captures (git-ignored), with their truth: deterministic by seed
# (transfers-*, sessions-*), or played from a recording of real servers and
# clients (recorded-*: scripts/bench-record.sh, root). See scripts/bench.sh.
BENCH_CAPTURES ?= transfers-200MB transfers-2GB sessions-60MB sessions-600MB recorded-2GB
bench-data:
	BENCH_DATA_ONLY=1 BENCH_CAPTURES="$(BENCH_CAPTURES)" bash scripts/bench.sh

# Micro-benchmarks briefly, then ftptrace against the read loop, the floor and
# tshark on the benchmark captures, checked against their truth; rewrites
# BENCHMARKS.md. BENCH_BEFORE=OTHER-BINARY times another build in the same runs.
bench: build
	$(GO) test ./... -run '^$$' -bench . -benchmem -benchtime 200ms
	BENCH_CAPTURES="$(BENCH_CAPTURES)" bash scripts/bench.sh

# Live capture at full speed against tcpdump with the same kernel buffer
# (root: a network namespace with a real vsftpd and curl); its table goes
# into BENCHMARKS.md.
bench-live: build
	bash scripts/bench-live.sh

# Recorded fixtures: real servers and clients on loopback, then through network
# namespaces the way captures are taken in the field, and the failures
# `ftptrace diagnose` names (needs root).
fixtures:
	bash scripts/record-fixtures.sh
	bash scripts/record-netns-fixtures.sh
	bash scripts/record-diagnose.sh

# Synthesized fixtures, byte-identical on every run.
fixtures-synth:
	$(GO) run ./tools/ftpsynth -all testdata/pcaps

# The HTML report opened in headless Chromium (scripts/e2e, chromedp): one
# session, 30, 50 data connections, 1000 sessions and the Chinese page open
# in time, are not blank, every index link lands, diagrams stay readable, no
# console error (installs chromium and a CJK font as root; SHOTS=DIR keeps
# the screenshots).
e2e:
	GO=$(GO) bash scripts/e2e.sh

# docs/SCALE.md's PostgreSQL configuration, end to end: a private cluster on a
# unix socket (installs postgresql as root), the records of every capture
# loaded, the documented queries' answers checked against ftptrace's tables.
e2e-ingest:
	GO=$(GO) bash scripts/e2e-ingest.sh

clean:
	rm -rf bin
