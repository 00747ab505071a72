# ftptrace: make demo shows the main job, make test proves it.
GO       ?= go
BIN      := bin/ftptrace
ARTICLE  := testdata/pcaps/article-active.pcap
FUZZTIME ?= 30s

.PHONY: build libpcap demo test fuzz bench fixtures fixtures-synth vet fmt clean

build: libpcap
	$(GO) build -o $(BIN) ./cmd/ftptrace

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
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$unformatted" ]; then echo "gofmt wants to reformat:"; echo "$$unformatted"; exit 1; fi
	$(GO) test ./...

# Each parser's fuzz target for FUZZTIME (go test runs one -fuzz target at a time).
fuzz:
	$(GO) test ./analyzer -run '^$$' -fuzz '^FuzzParseCommand$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 10s
	$(GO) test ./analyzer -run '^$$' -fuzz '^FuzzReplyReader$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 10s
	$(GO) test ./analyzer -run '^$$' -fuzz '^FuzzDataAddress$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 10s
	$(GO) test ./analyzer -run '^$$' -fuzz '^FuzzControlStream$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 10s
	$(GO) test ./report -run '^$$' -fuzz '^FuzzPipeline$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 10s

bench:
	$(GO) test ./... -run '^$$' -bench . -benchmem

# Recorded fixtures: real servers and clients on loopback (needs root).
fixtures:
	bash scripts/record-fixtures.sh

# Synthesized fixtures, byte-identical on every run.
fixtures-synth:
	$(GO) run ./cmd/ftpsynth -all testdata/pcaps

clean:
	rm -rf bin
