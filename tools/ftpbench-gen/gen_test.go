package main

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

func TestDeterministic(t *testing.T) {
	var a, b, c bytes.Buffer
	if _, err := write(&a, 1e6, 42, transferHeavy); err != nil {
		t.Fatal(err)
	}
	if _, err := write(&b, 1e6, 42, transferHeavy); err != nil {
		t.Fatal(err)
	}
	if _, err := write(&c, 1e6, 43, transferHeavy); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("two generations with seed 42 differ")
	}
	if bytes.Equal(a.Bytes(), c.Bytes()) {
		t.Error("seeds 42 and 43 gave the same capture")
	}
}

// TestTruthMatchesCapture re-reads a generated capture of each profile with
// gopacket and checks the truth's totals and every IP, TCP and UDP checksum.
func TestTruthMatchesCapture(t *testing.T) {
	t.Run("transfers", func(t *testing.T) { truthMatchesCapture(t, transferHeavy) })
	t.Run("sessions", func(t *testing.T) { truthMatchesCapture(t, sessionHeavy) })
}

func truthMatchesCapture(t *testing.T, prof profile) {
	var buf bytes.Buffer
	tr, err := write(&buf, 1e6, 7, prof)
	if err != nil {
		t.Fatal(err)
	}
	if int64(buf.Len()) != tr.FileBytes {
		t.Errorf("file is %d bytes, truth says %d", buf.Len(), tr.FileBytes)
	}
	r, err := pcapgo.NewReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	var packets, size int64
	var syns, users, done, resets int
	for {
		data, _, err := r.ReadPacketData()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		packets++
		size += int64(len(data))
		p := gopacket.NewPacket(data, layers.LayerTypeEthernet, gopacket.Default)
		if el := p.ErrorLayer(); el != nil {
			t.Fatalf("packet %d: %v", packets, el.Error())
		}
		if !checksumsOK(data) {
			t.Errorf("packet %d: bad checksum", packets)
		}
		if tcp, ok := p.TransportLayer().(*layers.TCP); ok {
			if tcp.SYN && !tcp.ACK {
				syns++
			}
			if tcp.RST {
				resets++
			}
			users += strings.Count(string(tcp.Payload), "USER ")
			if tcp.SrcPort == 21 && (bytes.HasPrefix(tcp.Payload, []byte("226 "))) {
				done++
			}
		}
	}
	if packets != tr.Packets || size != tr.Bytes {
		t.Errorf("read %d packets, %d bytes; truth %d, %d", packets, size, tr.Packets, tr.Bytes)
	}
	if syns != tr.TCPConns || users != tr.Credentials || done != tr.Transfers {
		t.Errorf("read %d SYNs, %d USER, %d 226 replies; truth %d connections, %d credentials, %d transfers",
			syns, users, done, tr.TCPConns, tr.Credentials, tr.Transfers)
	}
	ended := map[string]int{}
	for _, s := range tr.Sessions {
		ended[s.Ended]++
	}
	if resets != ended["rst"] {
		t.Errorf("read %d RSTs; truth %d sessions ended by one", resets, ended["rst"])
	}
	switch prof {
	case transferHeavy:
		if tr.Transfers == 0 || tr.UDPBytes == 0 || tr.OtherTCPBytes == 0 {
			t.Errorf("a 1 MB capture should hold transfers, UDP and other TCP: %+v", tr)
		}
	case sessionHeavy:
		if tr.OtherTCPBytes != 0 || tr.FTPCtlBytes < tr.FTPDataBytes {
			t.Errorf("a session-heavy capture is FTP sessions, mostly control traffic: %+v", tr)
		}
	}
}

// TestSessionProfile checks that the session-heavy profile is what its name
// promises: thousands of short sessions a second of capture time, ending
// every way, with failed logins, both data modes and IPv6.
func TestSessionProfile(t *testing.T) {
	var buf bytes.Buffer
	tr, err := write(&buf, 5e6, 3, sessionHeavy)
	if err != nil {
		t.Fatal(err)
	}
	r, err := pcapgo.NewReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	var first, last int64
	for {
		_, ci, err := r.ZeroCopyReadPacketData()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if first == 0 {
			first = ci.Timestamp.UnixMicro()
		}
		last = ci.Timestamp.UnixMicro()
	}
	perSecond := float64(len(tr.Sessions)) / (float64(last-first) / 1e6)
	ended, modes, failed := map[string]int{}, map[string]int{}, 0
	for _, s := range tr.Sessions {
		ended[s.Ended]++
		if s.Login == "failed" {
			failed++
		}
		for _, x := range s.Transfers {
			modes[x.Announce]++
			if x.Bytes > 2<<10 && x.Command == "RETR" {
				t.Errorf("session %s: a RETR of %d bytes; short sessions fetch at most 2 KiB", s.Client, x.Bytes)
			}
		}
	}
	t.Logf("%d sessions, %.0f a second, ended %v, modes %v, %d failed logins, %d IPv6",
		len(tr.Sessions), perSecond, ended, modes, failed, tr.IPv6Sessions)
	if len(tr.Sessions) < 1000 || perSecond < 1000 {
		t.Errorf("%d sessions, %.0f a second: want thousands of short sessions a second", len(tr.Sessions), perSecond)
	}
	for _, e := range []string{"quit", "fin", "rst"} {
		if ended[e] < len(tr.Sessions)/20 {
			t.Errorf("%d of %d sessions ended by %s: want each ending common", ended[e], len(tr.Sessions), e)
		}
	}
	for _, m := range []string{"PORT", "PASV", "EPSV", "EPRT"} {
		if modes[m] == 0 {
			t.Errorf("no transfer announced by %s", m)
		}
	}
	if failed < len(tr.Sessions)/10 || tr.IPv6Sessions < len(tr.Sessions)/20 {
		t.Errorf("%d failed logins, %d IPv6 sessions of %d: want both common", failed, tr.IPv6Sessions, len(tr.Sessions))
	}
}

// checksumsOK verifies an Ethernet frame's IPv4 header checksum and its TCP
// or UDP checksum, with a plain 16-bit loop independent of sum().
func checksumsOK(f []byte) bool {
	ip := f[ethLen:]
	var pseudo []byte
	var l4 []byte
	if ip[0]>>4 == 4 {
		if naive(ip[:ip4Len]) != 0xffff {
			return false
		}
		l4 = ip[ip4Len:binary.BigEndian.Uint16(ip[2:])]
		pseudo = append(append([]byte{}, ip[12:20]...), 0, ip[9])
	} else {
		l4 = ip[ip6Len : ip6Len+int(binary.BigEndian.Uint16(ip[4:]))]
		pseudo = append(append([]byte{}, ip[8:40]...), 0, ip[6])
	}
	pseudo = binary.BigEndian.AppendUint16(pseudo, uint16(len(l4)))
	return naive(append(pseudo, l4...)) == 0xffff
}

func naive(b []byte) uint32 {
	var s uint32
	for i := 0; i < len(b); i += 2 {
		w := uint32(b[i]) << 8
		if i+1 < len(b) {
			w |= uint32(b[i+1])
		}
		s += w
	}
	for s>>16 != 0 {
		s = s>>16 + s&0xffff
	}
	return s
}

func TestSum(t *testing.T) {
	r := newRNG(1, 1)
	b := make([]byte, 3000)
	r.fill(b)
	for n := 0; n < 200; n++ {
		if got, want := uint32(checksum(sum(b[:n]))), ^naive(b[:n])&0xffff; got != want {
			t.Fatalf("len %d: checksum %#x, want %#x", n, got, want)
		}
	}
	for _, n := range []int{1459, 1460, 2999, 3000} {
		if got, want := uint32(checksum(sum(b[:n]))), ^naive(b[:n])&0xffff; got != want {
			t.Fatalf("len %d: checksum %#x, want %#x", n, got, want)
		}
	}
}

func BenchmarkGenerate(b *testing.B) {
	b.SetBytes(10e6)
	for b.Loop() {
		if _, err := write(io.Discard, 10e6, 1, transferHeavy); err != nil {
			b.Fatal(err)
		}
	}
}
