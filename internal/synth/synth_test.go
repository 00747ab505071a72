package synth

import (
	"bytes"
	"net/netip"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// seg is a decoded TCP segment read back from a written capture.
type seg struct {
	ts       time.Time
	src, dst netip.AddrPort
	tcp      *layers.TCP
	vlan     bool
}

func (s seg) flags() Flags {
	var f Flags
	for _, b := range []struct {
		set bool
		f   Flags
	}{{s.tcp.FIN, FIN}, {s.tcp.SYN, SYN}, {s.tcp.RST, RST}, {s.tcp.PSH, PSH}, {s.tcp.ACK, ACK}} {
		if b.set {
			f |= b.f
		}
	}
	return f
}

// readBack writes capt in format f, reads it with pcapgo and decodes every
// frame, failing on bad checksums or undecodable frames.
func readBack(t *testing.T, capt *Capture, f Format) (layers.LinkType, []seg) {
	t.Helper()
	var buf bytes.Buffer
	if err := capt.WriteTo(&buf, f); err != nil {
		t.Fatal(err)
	}
	type source interface {
		ReadPacketData() ([]byte, gopacket.CaptureInfo, error)
		LinkType() layers.LinkType
	}
	var r source
	var err error
	if f == PCAPNG {
		r, err = pcapgo.NewNgReader(&buf, pcapgo.DefaultNgReaderOptions)
	} else {
		r, err = pcapgo.NewReader(&buf)
	}
	if err != nil {
		t.Fatal(err)
	}
	var segs []seg
	for {
		data, ci, err := r.ReadPacketData()
		if err != nil {
			break
		}
		p := gopacket.NewPacket(data, r.LinkType(), gopacket.Default)
		if el := p.ErrorLayer(); el != nil {
			t.Fatalf("frame %d: %v", len(segs)+1, el.Error())
		}
		tcp, _ := p.Layer(layers.LayerTypeTCP).(*layers.TCP)
		if tcp == nil {
			t.Fatalf("frame %d: no TCP layer: %v", len(segs)+1, p)
		}
		if ip4, ok := p.NetworkLayer().(*layers.IPv4); ok {
			if err, res := ip4.VerifyChecksum(); err != nil || !res.Valid {
				t.Errorf("frame %d: bad IPv4 checksum %+v %v", len(segs)+1, res, err)
			}
		}
		if err := tcp.SetNetworkLayerForChecksum(p.NetworkLayer()); err != nil {
			t.Fatal(err)
		}
		if err, res := tcp.VerifyChecksum(); err != nil || !res.Valid {
			t.Errorf("frame %d: bad TCP checksum %+v %v", len(segs)+1, res, err)
		}
		src, _ := netip.AddrFromSlice(p.NetworkLayer().NetworkFlow().Src().Raw())
		dst, _ := netip.AddrFromSlice(p.NetworkLayer().NetworkFlow().Dst().Raw())
		segs = append(segs, seg{
			ts:   ci.Timestamp,
			src:  netip.AddrPortFrom(src, uint16(tcp.SrcPort)),
			dst:  netip.AddrPortFrom(dst, uint16(tcp.DstPort)),
			tcp:  tcp,
			vlan: p.Layer(layers.LayerTypeDot1Q) != nil,
		})
	}
	return r.LinkType(), segs
}

// checkContinuity verifies that, in an in-order capture, every segment
// starts where its direction left off and acknowledges everything the
// other direction has sent.
func checkContinuity(t *testing.T, segs []seg) {
	t.Helper()
	next := map[netip.AddrPort]uint32{}
	for i, s := range segs {
		if s.tcp.SYN {
			next[s.src] = s.tcp.Seq
		} else if want, ok := next[s.src]; ok && s.tcp.Seq != want {
			t.Errorf("frame %d: seq %d, want %d", i+1, s.tcp.Seq, want)
		}
		if want, ok := next[s.dst]; s.tcp.ACK && ok && s.tcp.Ack != want {
			t.Errorf("frame %d: ack %d, want %d", i+1, s.tcp.Ack, want)
		}
		n := s.tcp.Seq + uint32(len(s.tcp.Payload))
		if s.tcp.SYN || s.tcp.FIN {
			n++
		}
		next[s.src] = n
	}
}

var (
	cli4 = netip.MustParseAddrPort("192.0.2.10:40000")
	srv4 = netip.MustParseAddrPort("198.51.100.21:21")
	cli6 = netip.MustParseAddrPort("[2001:db8::10]:40000")
	srv6 = netip.MustParseAddrPort("[2001:db8::21]:21")
)

// conversation is a short exchange covering every Conn operation that
// keeps the stream in order.
func conversation(capt *Capture, client, server netip.AddrPort) {
	c := capt.Conn(client, server)
	c.Handshake()
	c.ServerSend("220 ready\r\n")
	c.ClientAck()
	capt.Advance(time.Second)
	c.ClientSend("USER alice\r\n")
	c.ServerAck()
	c.ServerSend("331 password\r\n")
	c.Close(Client)
}

var wantFlags = []Flags{SYN, SYN | ACK, ACK, PSH | ACK, ACK, PSH | ACK, ACK, PSH | ACK, FIN | ACK, ACK, FIN | ACK, ACK}

func TestLinksAndFormats(t *testing.T) {
	tests := []struct {
		name     string
		opts     Options
		v6       bool
		wantLink layers.LinkType
	}{
		{"ethernet", Options{}, false, layers.LinkTypeEthernet},
		{"vlan", Options{VLAN: 120}, false, layers.LinkTypeEthernet},
		{"sll", Options{Link: SLL, Local: cli4.Addr()}, false, layers.LinkTypeLinuxSLL},
		{"sll2", Options{Link: SLL2}, false, layers.LinkTypeLinuxSLL2},
		{"null", Options{Link: Null}, false, layers.LinkTypeNull},
		{"raw", Options{Link: Raw}, false, layers.LinkTypeRaw},
		{"nanos", Options{Format: PCAPNano}, false, layers.LinkTypeEthernet},
		{"bigendian", Options{Format: PCAPBigEndian}, false, layers.LinkTypeEthernet},
		{"pcapng", Options{Format: PCAPNG}, false, layers.LinkTypeEthernet},
		{"ipv6", Options{}, true, layers.LinkTypeEthernet},
		{"ipv6-null-ng", Options{Link: Null, Format: PCAPNG}, true, layers.LinkTypeNull},
		{"ipv6-sll2", Options{Link: SLL2}, true, layers.LinkTypeLinuxSLL2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			capt := New(tt.opts)
			client, server := cli4, srv4
			if tt.v6 {
				client, server = cli6, srv6
			}
			conversation(capt, client, server)
			link, segs := readBack(t, capt, tt.opts.Format)
			if link != tt.wantLink {
				t.Errorf("link type %v, want %v", link, tt.wantLink)
			}
			if len(segs) != len(wantFlags) {
				t.Fatalf("%d frames, want %d", len(segs), len(wantFlags))
			}
			for i, s := range segs {
				if s.flags() != wantFlags[i] {
					t.Errorf("frame %d: flags %b, want %b", i+1, s.flags(), wantFlags[i])
				}
				if s.vlan != (tt.opts.VLAN != 0) {
					t.Errorf("frame %d: vlan tag %v", i+1, s.vlan)
				}
				if !s.ts.Equal(capt.Packets()[i].Time) {
					t.Errorf("frame %d: time %v, want %v", i+1, s.ts, capt.Packets()[i].Time)
				}
				if s.src != client && s.src != server {
					t.Errorf("frame %d: unexpected source %v", i+1, s.src)
				}
			}
			if !segs[0].ts.Equal(Epoch) {
				t.Errorf("first frame at %v, want %v", segs[0].ts, Epoch)
			}
			checkContinuity(t, segs)
		})
	}
}
