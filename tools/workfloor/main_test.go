package main

import (
	"bytes"
	"encoding/binary"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// frame builds an Ethernet frame of a TCP segment between two ports.
func frame(t testing.TB, v6 bool, src, dst uint16, payload string) []byte {
	t.Helper()
	eth := &layers.Ethernet{SrcMAC: net.HardwareAddr{2, 0, 0, 0, 0, 1}, DstMAC: net.HardwareAddr{2, 0, 0, 0, 0, 2}}
	tcp := &layers.TCP{SrcPort: layers.TCPPort(src), DstPort: layers.TCPPort(dst), Seq: 1, ACK: true, PSH: true, Window: 512}
	var ip gopacket.SerializableLayer
	if v6 {
		eth.EthernetType = layers.EthernetTypeIPv6
		l := &layers.IPv6{Version: 6, HopLimit: 64, NextHeader: layers.IPProtocolTCP,
			SrcIP: net.ParseIP("2001:db8::1"), DstIP: net.ParseIP("2001:db8::2")}
		tcp.SetNetworkLayerForChecksum(l)
		ip = l
	} else {
		eth.EthernetType = layers.EthernetTypeIPv4
		l := &layers.IPv4{Version: 4, TTL: 64, Protocol: layers.IPProtocolTCP,
			SrcIP: net.IPv4(192, 0, 2, 1), DstIP: net.IPv4(198, 51, 100, 2)}
		tcp.SetNetworkLayerForChecksum(l)
		ip = l
	}
	buf := gopacket.NewSerializeBuffer()
	opts := gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}
	if err := gopacket.SerializeLayers(buf, opts, eth, ip, tcp, gopacket.Payload(payload)); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func writePcap(t testing.TB, frames [][]byte) string {
	t.Helper()
	var b bytes.Buffer
	w := pcapgo.NewWriter(&b)
	if err := w.WriteFileHeader(65535, layers.LinkTypeEthernet); err != nil {
		t.Fatal(err)
	}
	for i, f := range frames {
		ci := gopacket.CaptureInfo{Timestamp: time.Unix(int64(i), 0), CaptureLength: len(f), Length: len(f)}
		if err := w.WritePacket(ci, f); err != nil {
			t.Fatal(err)
		}
	}
	name := filepath.Join(t.TempDir(), "x.pcap")
	if err := os.WriteFile(name, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return name
}

// TestFloorHashesOnlyFileData: control, HTTP-like and SSH-like payloads are
// read but not hashed; the data connections' payloads (active mode from
// port 20, passive, IPv6) are, across blocks, on every worker.
func TestFloorHashesOnlyFileData(t *testing.T) {
	big := strings.Repeat("x", 1400)
	var frames [][]byte
	var want int64
	for i := range 2000 { // about 3 MB: several blocks
		frames = append(frames,
			frame(t, false, 40000, 21, "USER anonymous\r\n"),
			frame(t, false, 50000, 80, big),
			frame(t, true, 22, 50001, big),
			frame(t, i%2 == 0, 20, 40001, big),     // active mode
			frame(t, false, 40002, 30000, big[:7]), // passive mode, upload
		)
		want += int64(len(big) + 7)
	}
	name := writePcap(t, frames)
	got, err := floor(name)
	if err != nil {
		t.Fatal(err)
	}
	if got.packets != int64(len(frames)) || got.data != want {
		t.Errorf("floor saw %d packets and %d bytes of file data, want %d and %d", got.packets, got.data, len(frames), want)
	}
	var size int64
	for _, f := range frames {
		size += int64(len(f))
	}
	if got.bytes != size {
		t.Errorf("floor read %d bytes of packets, want %d", got.bytes, size)
	}
}

// controlSession is the frames of one FTP control connection from a client
// port: handshake, a reply and a command each cut in two segments, the
// client's FIN, and an ACK after the end (which gopacket takes for a new
// connection, not counted). It has 3 lines.
func controlSession(t *testing.T, v6 bool, port uint16) [][]byte {
	seg := func(fromClient bool, seq, ack uint32, flags string, payload string) []byte {
		src, dst := port, uint16(21)
		if !fromClient {
			src, dst = dst, src
		}
		f := frame(t, v6, src, dst, payload)
		_, tcp := splitFrame(f)
		binary.BigEndian.PutUint32(tcp[4:], seq)
		binary.BigEndian.PutUint32(tcp[8:], ack)
		var b byte
		for _, c := range flags {
			b |= map[rune]byte{'F': 1, 'S': 2, 'R': 4, 'P': 8, 'A': 16}[c]
		}
		tcp[13] = b
		return f
	}
	const c, s = 1000, 5000 // initial sequence numbers
	banner, user, reply := "220 ready\r\n", "USER anonymous\r\n", "331 password please\r\n"
	return [][]byte{
		seg(true, c, 0, "S", ""),
		seg(false, s, c+1, "SA", ""),
		seg(true, c+1, s+1, "A", ""),
		seg(false, s+1, c+1, "PA", banner[:4]),
		seg(false, s+5, c+1, "PA", banner[4:]),
		seg(true, c+1, s+12, "PA", user[:6]),
		seg(true, c+7, s+12, "PA", user[6:]),
		seg(false, s+12, c+17, "PA", reply),
		seg(true, c+17, s+34, "FA", ""),
		seg(false, s+34, c+18, "FA", ""),
		seg(true, c+18, s+35, "A", ""),
	}
}

// TestFloorReassemblesControl: every control connection is reassembled
// once, on whichever worker its addresses give, its lines counted in
// order, among many blocks of file data; the same on one worker and on
// four.
func TestFloorReassemblesControl(t *testing.T) {
	big := strings.Repeat("x", 1400)
	const sessions = 300
	var frames [][]byte
	for i := range sessions {
		frames = append(frames, controlSession(t, i%3 == 0, uint16(20000+i))...)
		for range 4 { // about 2 MB of file data: several blocks
			frames = append(frames, frame(t, false, 20, 40001, big))
		}
	}
	name := writePcap(t, frames)
	for _, procs := range []int{1, 4} {
		old := runtime.GOMAXPROCS(procs)
		got, err := floor(name)
		runtime.GOMAXPROCS(old)
		if err != nil {
			t.Fatal(err)
		}
		if got.opened != sessions || got.lines != 3*sessions || got.packets != int64(len(frames)) {
			t.Errorf("on %d workers: %d clients' SYNs, %d lines, %d packets; want %d, %d, %d",
				procs, got.opened, got.lines, got.packets, sessions, 3*sessions, len(frames))
		}
	}
}

// FuzzControlShare: a control connection's hash is the same both ways.
func FuzzControlShare(f *testing.F) {
	f.Add(frame(f, false, 40000, 21, "USER x\r\n"))
	f.Add(frame(f, true, 21, 40000, "220 ready\r\n"))
	f.Fuzz(func(t *testing.T, p []byte) {
		_, h, ok := classify(p)
		if !ok {
			return
		}
		ip, tcp := splitFrame(p)
		r := bytes.Clone(p)
		rip, rtcp := splitFrame(r)
		n := 4
		a := 12
		if ip[0]>>4 == 6 {
			n, a = 16, 8
		}
		copy(rip[a:a+n], ip[a+n:a+2*n])
		copy(rip[a+n:a+2*n], ip[a:a+n])
		copy(rtcp[0:2], tcp[2:4])
		copy(rtcp[2:4], tcp[0:2])
		if _, back, ok := classify(r); !ok || back != h {
			t.Errorf("one way %x, the other %x (%v)", h, back, ok)
		}
	})
}

func TestFloorReportsACutRecord(t *testing.T) {
	name := writePcap(t, [][]byte{frame(t, false, 20, 40001, "data"), frame(t, false, 20, 40001, "more data")})
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, b[:len(b)-3], 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := floor(name)
	if err == nil || !strings.Contains(err.Error(), "cut short") {
		t.Fatalf("a cut capture gave error %v, want one saying the last record is cut short", err)
	}
	if got.packets != 1 || got.data != 4 {
		t.Errorf("before the cut: %d packets, %d bytes of data; want 1 and 4", got.packets, got.data)
	}
}

func TestReadTruth(t *testing.T) {
	name := filepath.Join(t.TempDir(), "truth.json")
	truth := `{"ftp_data_bytes": 999, "sessions": [{"transfers": [{"bytes": 10}, {"bytes": 5}]}, {"transfers": null}, {"transfers": [{"bytes": 1}]}]}`
	if err := os.WriteFile(name, []byte(truth), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := readTruth(name)
	if err != nil || got != (expected{data: 16, sessions: 3}) {
		t.Errorf("readTruth = %+v, %v; want 16 bytes (the transfers', not the frames') and 3 sessions", got, err)
	}
}

// FuzzFileData: whatever the frame, what is hashed lies inside it, and a
// control segment has none.
func FuzzFileData(f *testing.F) {
	f.Add(frame(f, false, 20, 40001, "data"))
	f.Add(frame(f, true, 40002, 30000, "data"))
	f.Add(frame(f, false, 21, 40000, "USER x\r\n"))
	f.Fuzz(func(t *testing.T, p []byte) {
		pay, _, control := classify(p)
		if control && pay != nil {
			t.Errorf("a control segment with %d bytes of file data", len(pay))
		}
		if len(pay) == 0 {
			return
		}
		off := cap(p) - cap(pay) // pay is a slice of p: where it starts
		if off < 14+20+20 || off+len(pay) > len(p) || !bytes.Equal(p[off:off+len(pay)], pay) {
			t.Errorf("payload of %d bytes at %d is not inside the %d-byte frame after its headers", len(pay), off, len(p))
		}
	})
}
