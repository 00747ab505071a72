package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ftptrace/ftptrace/internal/synth"
)

// TestSlowTransferAmongOtherTraffic runs --json on a capture where a slow
// download sends 100 bytes between every 270 KB of other traffic, so that
// each batch the reader reads holds one payload of it. ftptrace hung on
// such a capture: the hash job being filled kept every batch its payloads
// lay in, and once it held them all the reader waited for a batch and the
// analysis, which sends the job, for the reader. Now it ends, with the
// file's SHA-256.
func TestSlowTransferAmongOtherTraffic(t *testing.T) {
	capt := synth.New(synth.Options{})
	client, server := netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("198.51.100.21")
	ctl := capt.Conn(netip.AddrPortFrom(client, 40000), netip.AddrPortFrom(server, 21))
	ctl.Handshake()
	for _, line := range []string{"220 ready", "USER u", "331 password please", "PASS p", "230 in", "PASV",
		"227 Entering Passive Mode (198,51,100,21,195,80)", "RETR slow.bin", "150 here it comes"} {
		if line[0] >= '0' && line[0] <= '9' {
			ctl.ServerSend(line + "\r\n")
		} else {
			ctl.ClientSend(line + "\r\n")
		}
	}
	data := capt.Conn(netip.AddrPortFrom(client, 40001), netip.AddrPortFrom(server, 50000))
	data.Handshake()
	other := capt.Conn(netip.MustParseAddrPort("192.0.2.7:41000"), netip.MustParseAddrPort("203.0.113.8:8080"))
	other.Handshake()
	filler := strings.Repeat("x", 1448)
	var file bytes.Buffer
	for i := range 100 {
		chunk := strings.Repeat(string(rune('A'+i%26)), 100)
		file.WriteString(chunk)
		data.ServerSend(chunk)
		data.ClientAck()
		for range 190 {
			other.ServerSend(filler)
		}
		other.ClientAck()
		capt.Advance(10 * time.Millisecond)
	}
	data.Close(synth.Server)
	ctl.ServerSend("226 done\r\n")
	ctl.ClientSend("QUIT\r\n")
	ctl.ServerSend("221 bye\r\n")
	ctl.Close(synth.Server)
	path := filepath.Join(t.TempDir(), "slow-transfer.pcap")
	if err := capt.WriteFile(path); err != nil {
		t.Fatal(err)
	}

	type result struct {
		out, errs string
		code      int
	}
	done := make(chan result, 1)
	go func() {
		out, errs, code := runCLI(t, "--json", path)
		done <- result{out, errs, code}
	}()
	var r result
	select {
	case r = <-done:
	case <-time.After(2 * time.Minute): // not a timing check: 28 MB take a second; this long is a hang
		t.Fatal("ftptrace --json did not end: the reader and the analysis wait for each other")
	}
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.errs)
	}
	sum := sha256.Sum256(file.Bytes())
	found := false
	for _, line := range strings.Split(r.out, "\n") {
		var rec struct {
			Type   string `json:"type"`
			Bytes  int    `json:"bytes"`
			SHA256 string `json:"sha256"`
		}
		if json.Unmarshal([]byte(line), &rec) != nil || rec.Type != "transfer" {
			continue
		}
		found = true
		if rec.Bytes != file.Len() || rec.SHA256 != hex.EncodeToString(sum[:]) {
			t.Errorf("transfer of %d bytes, sha256 %.12s; want %d bytes, %.12x", rec.Bytes, rec.SHA256, file.Len(), sum)
		}
	}
	if !found {
		t.Errorf("no transfer record in:\n%s", r.out)
	}
}
