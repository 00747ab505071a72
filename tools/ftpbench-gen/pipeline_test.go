package main

import (
	"bytes"
	"io"
	"testing"

	"github.com/ftptrace/ftptrace/analyzer"
	"github.com/ftptrace/ftptrace/reassembly"
)

// TestHashesThroughPrefetch analyses a generated capture the way ftptrace
// does (read and decoded ahead, payloads hashed on the worker in the
// batches they were read into) and checks every transfer's SHA-256 against
// the generator's. The capture is several times the prefetcher's batches
// together, so batches are reused while transfers go on. (Whether a batch
// can be let go before its payloads are hashed depends on timing here;
// analyzer's TestHashKeepsPayloadsUntilHashed tests that deterministically.)
func TestHashesThroughPrefetch(t *testing.T) {
	var buf bytes.Buffer
	truth, err := write(&buf, 40e6, 11, transferHeavy)
	if err != nil {
		t.Fatal(err)
	}
	src, err := reassembly.NewReader(bytes.NewReader(buf.Bytes()), "generated")
	if err != nil {
		t.Fatal(err)
	}
	an := analyzer.New(analyzer.Options{})
	tr := reassembly.NewTracker(an, reassembly.DefaultOptions)
	if err := reassembly.NewDecodingPrefetch(src).Follow(tr); err != io.EOF {
		t.Fatalf("Follow ended with %v", err)
	}
	tr.Close()
	sessions := map[string]*analyzer.Session{}
	for _, s := range an.Finish() {
		s.WaitHashes()
		sessions[s.Client.String()+" "+s.Server.String()] = s
	}
	checked, big := 0, 0
	for _, ts := range truth.Sessions {
		s := sessions[ts.Client+" "+ts.Server]
		if s == nil {
			t.Errorf("session %s -> %s not found", ts.Client, ts.Server)
			continue
		}
		if len(s.Transfers) != len(ts.Transfers) {
			t.Errorf("session %s: %d transfers, truth %d", ts.Client, len(s.Transfers), len(ts.Transfers))
			continue
		}
		for i, want := range ts.Transfers {
			got := s.Transfers[i]
			if got.SHA256 != want.SHA256 || got.Bytes != int64(want.Bytes) {
				t.Errorf("session %s transfer %d (%s %s): %d B sha256 %.12s, truth %d B %.12s",
					ts.Client, i+1, want.Command, want.Path, got.Bytes, got.SHA256, want.Bytes, want.SHA256)
			}
			checked++
			if want.Bytes > 1<<20 {
				big++
			}
		}
	}
	if checked < 20 || big < 3 {
		t.Fatalf("only %d transfers checked, %d over 1 MiB: the capture does not test batch reuse", checked, big)
	}
}
