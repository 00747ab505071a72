package main

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

var server4, server6 = net.ParseIP("10.200.200.2"), net.ParseIP("fd00:200:200::2")

// frame builds an Ethernet frame of a TCP segment with correct checksums.
func frame(t *testing.T, v6, fromClient bool, sport, dport uint16, payload string) []byte {
	t.Helper()
	cli, srv := net.IP(client4.AsSlice()), server4
	if v6 {
		cli, srv = net.IP(client6.AsSlice()), server6
	}
	src, dst := cli, srv
	if !fromClient {
		src, dst = srv, cli
	}
	eth := &layers.Ethernet{SrcMAC: net.HardwareAddr{2, 0, 0, 0, 0, 1}, DstMAC: net.HardwareAddr{2, 0, 0, 0, 0, 2}, EthernetType: layers.EthernetTypeIPv4}
	tcp := &layers.TCP{SrcPort: layers.TCPPort(sport), DstPort: layers.TCPPort(dport), Seq: 1000, Ack: 2000, PSH: true, ACK: true, Window: 512}
	var ip gopacket.SerializableLayer
	if v6 {
		eth.EthernetType = layers.EthernetTypeIPv6
		ip6 := &layers.IPv6{Version: 6, NextHeader: layers.IPProtocolTCP, HopLimit: 64, SrcIP: src, DstIP: dst}
		tcp.SetNetworkLayerForChecksum(ip6)
		ip = ip6
	} else {
		ip4 := &layers.IPv4{Version: 4, IHL: 5, TTL: 64, Protocol: layers.IPProtocolTCP, SrcIP: src, DstIP: dst}
		tcp.SetNetworkLayerForChecksum(ip4)
		ip = ip4
	}
	buf := gopacket.NewSerializeBuffer()
	opts := gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}
	if err := gopacket.SerializeLayers(buf, opts, eth, ip, tcp, gopacket.Payload(payload)); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// checksumsOK checks the IPv4 header and TCP checksums of a frame from
// scratch.
func checksumsOK(f []byte) bool {
	ip := f[14:]
	var pseudo, seg []byte
	if ip[0]>>4 == 4 {
		if fold(ip[:20]) != 0xffff {
			return false
		}
		seg = ip[20:binary.BigEndian.Uint16(ip[2:])]
		pseudo = append(append([]byte{}, ip[12:20]...), 0, 6)
	} else {
		seg = ip[40 : 40+binary.BigEndian.Uint16(ip[4:])]
		pseudo = append(append([]byte{}, ip[8:40]...), 0, 6)
	}
	pseudo = binary.BigEndian.AppendUint16(pseudo, uint16(len(seg)))
	return fold(append(pseudo, seg...)) == 0xffff
}

func fold(b []byte) uint32 {
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

func TestRewrite(t *testing.T) {
	tests := []struct {
		name                 string
		v6, fromClient       bool
		sport, dport         uint16
		payload, wantPayload string
		wantClient           string
	}{
		{"PORT", false, true, 40000, 21, "PORT 10,100,100,2,156,64\r\n", "PORT 10,103,142,2,156,64\r\n", "10.103.142.2"},
		{"EPRT at an odd offset", false, true, 40000, 21, "EPRT |1|10.100.100.2|40001|\r\n", "EPRT |1|10.103.142.2|40001|\r\n", "10.103.142.2"},
		{"EPRT over IPv6", true, true, 40000, 21, "EPRT |2|fd00:100:100::2|40001|\r\n", "EPRT |2|fd00:103:142::2|40001|\r\n", "fd00:103:142::2"},
		{"reply to the client", false, false, 21, 40000, "200 PORT command successful.\r\n", "200 PORT command successful.\r\n", "10.103.142.2"},
		{"data keeps its bytes", false, false, 20, 40001, "10,100,100,2 10.100.100.2", "10,100,100,2 10.100.100.2", "10.103.142.2"},
		{"IPv6 data", true, true, 40002, 45000, "payload", "payload", "fd00:103:142::2"},
	}
	rw := newRewrite(342)
	for _, tt := range tests {
		f := frame(t, tt.v6, tt.fromClient, tt.sport, tt.dport, tt.payload)
		if !checksumsOK(f) {
			t.Fatalf("%s: the test's own frame has a bad checksum", tt.name)
		}
		rw.apply(f)
		p := gopacket.NewPacket(f, layers.LayerTypeEthernet, gopacket.Default)
		var cli string
		if n := p.NetworkLayer(); n != nil {
			src, dst := n.NetworkFlow().Endpoints()
			cli = dst.String()
			if tt.fromClient {
				cli = src.String()
			}
		}
		if got := string(p.ApplicationLayer().Payload()); got != tt.wantPayload || cli != tt.wantClient {
			t.Errorf("%s: client %s payload %q; want %s %q", tt.name, cli, got, tt.wantClient, tt.wantPayload)
		}
		if !checksumsOK(f) {
			t.Errorf("%s: checksum wrong after the rewrite", tt.name)
		}
	}
}

// TestReplay plays a recording of three packets three times, two at once,
// and checks the order, the addresses and the truth.
func TestReplay(t *testing.T) {
	dir := t.TempDir()
	var buf bytes.Buffer
	w := pcapgo.NewWriter(&buf)
	w.WriteFileHeader(65536, layers.LinkTypeEthernet)
	start := int64(1_700_000_000_000_000)
	for i, f := range [][]byte{
		frame(t, false, true, 40000, 21, "USER ftpbench\r\n"),
		frame(t, false, false, 21, 40000, "331 Please specify the password.\r\n"),
		frame(t, true, true, 40000, 21, "PASS x\r\n"),
	} {
		us := start + int64(i)*1_000_000
		ci := gopacket.CaptureInfo{CaptureLength: len(f), Length: len(f)}
		ci.Timestamp = at(us)
		if err := w.WritePacket(ci, f); err != nil {
			t.Fatal(err)
		}
	}
	recName, truthName := filepath.Join(dir, "rec.pcap"), filepath.Join(dir, "rec.json")
	os.WriteFile(recName, buf.Bytes(), 0o644)
	os.WriteFile(truthName, []byte(`{"sessions":[{"client":"10.100.100.2:40000","server":"10.200.200.2:21","user":"ftpbench","login":"failed","ended":"rst","credentials":[{"user":"ftpbench","password":"x","outcome":"rejected"}],"transfers":[]},
		{"client":"[fd00:100:100::2]:40000","server":"[fd00:200:200::2]:21","user":"","login":"none","ended":"capture ended","credentials":[],"transfers":[]}]}`), 0o644)
	rec, err := readRecording(recName, truthName)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out.pcap")
	tr, err := replay(rec, 3, 2, out)
	if err != nil {
		t.Fatal(err)
	}
	f, _ := os.Open(out)
	defer f.Close()
	r, err := pcapgo.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for {
		data, ci, err := r.ReadPacketData()
		if err != nil {
			break
		}
		p := gopacket.NewPacket(data, layers.LayerTypeEthernet, gopacket.Default)
		got = append(got, ci.Timestamp.Sub(at(start)).String()+" "+p.NetworkLayer().NetworkFlow().String())
	}
	// The recording lasts 2 s: copies start 1 s apart (two at once).
	want := []string{
		"0s 10.100.100.2->10.200.200.2",
		"1s 10.200.200.2->10.100.100.2", "1s 10.100.101.2->10.200.200.2",
		"2s fd00:100:100::2->fd00:200:200::2", "2s 10.200.200.2->10.100.101.2", "2s 10.100.102.2->10.200.200.2",
		"3s fd00:100:101::2->fd00:200:200::2", "3s 10.200.200.2->10.100.102.2",
		"4s fd00:100:102::2->fd00:200:200::2",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("replayed:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if tr.Packets != 9 || len(tr.Sessions) != 6 || tr.Credentials != 3 || tr.IPv6Sessions != 3 {
		t.Errorf("truth: %d packets, %d sessions, %d credentials, %d IPv6; want 9, 6, 3, 3", tr.Packets, len(tr.Sessions), tr.Credentials, tr.IPv6Sessions)
	}
	if st, _ := os.Stat(out); st.Size() != tr.FileBytes {
		t.Errorf("file of %d bytes, truth says %d", st.Size(), tr.FileBytes)
	}
	b, _ := json.Marshal(tr.Sessions[5])
	if !strings.Contains(string(b), `"client":"[fd00:100:102::2]:40000"`) || !strings.Contains(string(b), `"ended":"capture ended"`) {
		t.Errorf("copy 2's IPv6 session: %s", b)
	}
}

// at is the time us microseconds after the Unix epoch.
func at(us int64) time.Time { return time.UnixMicro(us).UTC() }
