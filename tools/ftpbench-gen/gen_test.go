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
	if _, err := write(&a, 1e6, 42); err != nil {
		t.Fatal(err)
	}
	if _, err := write(&b, 1e6, 42); err != nil {
		t.Fatal(err)
	}
	if _, err := write(&c, 1e6, 43); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("two generations with seed 42 differ")
	}
	if bytes.Equal(a.Bytes(), c.Bytes()) {
		t.Error("seeds 42 and 43 gave the same capture")
	}
}

// TestTruthMatchesCapture re-reads a generated capture with gopacket and
// checks the truth's totals and every IP, TCP and UDP checksum.
func TestTruthMatchesCapture(t *testing.T) {
	var buf bytes.Buffer
	tr, err := write(&buf, 1e6, 7)
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
	var syns, users, done int
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
	if tr.Transfers == 0 || tr.UDPBytes == 0 || tr.OtherTCPBytes == 0 {
		t.Errorf("a 1 MB capture should hold transfers, UDP and other TCP: %+v", tr)
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
		if _, err := write(io.Discard, 10e6, 1); err != nil {
			b.Fatal(err)
		}
	}
}
