package scenarios

import (
	"bytes"
	"net/netip"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/ftptrace/ftptrace/internal/synth"
	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// stream is one direction of one TCP connection, reassembled by offset.
type stream struct {
	base  uint32
	bytes map[int]byte
	end   int
	rst   bool
}

// reset tells whether the side sent a RST (false for a side that sent
// nothing, as the end of a SYN nobody answered).
func (s *stream) reset() bool { return s != nil && s.rst }

func (s *stream) data() []byte {
	if s == nil {
		return nil // a side that sent nothing (a SYN nobody answered)
	}
	out := make([]byte, 0, s.end)
	for i := 0; i < s.end; i++ {
		out = append(out, s.bytes[i])
	}
	return out
}

// conn is one TCP connection: streams keyed by sender.
type conn struct {
	client, server netip.AddrPort
	dir            map[netip.AddrPort]*stream
	syn            bool
}

// connections decodes capt's frames and splits them into connections; a
// SYN without ACK on a known 4-tuple starts a new one.
func connections(t *testing.T, capt *synth.Capture) []*conn {
	t.Helper()
	var conns []*conn
	byTuple := map[[2]netip.AddrPort]*conn{}
	for i, p := range capt.Packets() {
		pkt := gopacket.NewPacket(p.Data, capt.Options().Link.LinkType(), gopacket.Default)
		tcp, ok := pkt.Layer(layers.LayerTypeTCP).(*layers.TCP)
		if !ok || pkt.ErrorLayer() != nil {
			t.Fatalf("frame %d does not decode: %v", i+1, pkt)
		}
		nf := pkt.NetworkLayer().NetworkFlow()
		sa, _ := netip.AddrFromSlice(nf.Src().Raw())
		da, _ := netip.AddrFromSlice(nf.Dst().Raw())
		src, dst := netip.AddrPortFrom(sa, uint16(tcp.SrcPort)), netip.AddrPortFrom(da, uint16(tcp.DstPort))
		key := [2]netip.AddrPort{src, dst}
		if src.Compare(dst) > 0 {
			key = [2]netip.AddrPort{dst, src}
		}
		c := byTuple[key]
		if c == nil || (tcp.SYN && !tcp.ACK) {
			c = &conn{client: src, server: dst, dir: map[netip.AddrPort]*stream{}}
			byTuple[key] = c
			conns = append(conns, c)
		}
		s := c.dir[src]
		if s == nil {
			s = &stream{base: tcp.Seq, bytes: map[int]byte{}}
			if tcp.SYN {
				s.base++
			}
			c.dir[src] = s
		}
		s.rst = s.rst || tcp.RST
		if tcp.SYN {
			c.syn = true
			continue
		}
		off := int(int32(tcp.Seq - s.base))
		if off < 0 {
			t.Fatalf("frame %d: data before the first captured byte", i+1)
		}
		for j, b := range tcp.Payload {
			s.bytes[off+j] = b
		}
		if len(tcp.Payload) > 0 {
			s.end = max(s.end, off+len(tcp.Payload))
		}
	}
	return conns
}

func find(conns []*conn, a, b netip.AddrPort, nth int) *conn {
	for _, c := range conns {
		if (c.client == a && c.server == b) || (c.client == b && c.server == a) {
			if nth == 0 {
				return c
			}
			nth--
		}
	}
	return nil
}

var replyRE = regexp.MustCompile(`^(\d{3})([ -]|$)`)

// replyCodes lists the codes of the replies in a server's lines: a
// multi-line reply counts once, also when its closing line never comes
// (another reply begins, or the lines end).
func replyCodes(lines []string) []int {
	var codes []int
	open := 0
	for _, l := range lines {
		m := replyRE.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		n, _ := strconv.Atoi(m[1])
		switch {
		case open == n && m[2] != "-":
			codes, open = append(codes, n), 0
		case open == n: // an inner line "214-..."
		case open != 0:
			codes = append(codes, open) // never closed: the next reply began
			open = 0
			fallthrough
		default:
			if m[2] == "-" {
				open = n
			} else {
				codes = append(codes, n)
			}
		}
	}
	if open != 0 {
		codes = append(codes, open)
	}
	return codes
}

// lines splits a control stream into lines, dropping Telnet IP/DM bytes,
// the zeros that stand for bytes the capture missed, and empty lines (no
// command).
func lines(b []byte) []string {
	s := strings.ReplaceAll(string(b), "\xff\xf4\xff\xf2", "")
	var out []string
	for _, l := range strings.Split(s, "\r\n") {
		if l = strings.TrimLeft(l, "\x00"); l != "" {
			out = append(out, l)
		}
	}
	return out
}

func TestScenarios(t *testing.T) {
	all := All()
	if len(all) < 18 {
		t.Fatalf("only %d scenarios", len(all))
	}
	for _, sc := range all {
		t.Run(sc.Name, func(t *testing.T) {
			capt := sc.Build()
			var a, b bytes.Buffer
			f := capt.Options().Format
			if err := capt.WriteTo(&a, f); err != nil {
				t.Fatal(err)
			}
			if err := sc.Build().WriteTo(&b, f); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(a.Bytes(), b.Bytes()) {
				t.Error("two builds differ")
			}
			if a.Len() > 200<<10 {
				t.Errorf("file is %d bytes", a.Len())
			}
			if ng := path.Ext(sc.File) == ".pcapng"; ng != (f == synth.PCAPNG) {
				t.Errorf("file %s does not match format %d", sc.File, f)
			}
			if got, ok := Lookup(strings.TrimSuffix(sc.File, path.Ext(sc.File))); !ok || got.Name != sc.Name {
				t.Errorf("Lookup by file name failed")
			}
			checkFacts(t, sc.Facts, connections(t, capt))
		})
	}
}

// checkFacts compares the facts with what the reassembled capture holds.
func checkFacts(t *testing.T, facts Facts, conns []*conn) {
	seen := map[[2]netip.AddrPort]int{}
	for i, s := range facts.Sessions {
		k := [2]netip.AddrPort{s.Client, s.Server}
		c := find(conns, s.Client, s.Server, seen[k])
		seen[k]++
		if c == nil {
			t.Fatalf("session %d: no connection %v-%v", i, s.Client, s.Server)
		}
		cmds := lines(c.dir[s.Client].data())
		if s.TLS {
			cmds = cmds[:len(s.Commands)]
		}
		if !slices.Equal(cmds, s.Commands) {
			t.Errorf("session %d commands\n got %q\nwant %q", i, cmds, s.Commands)
		}
		codes := replyCodes(lines(c.dir[s.Server].data()))
		if !slices.Equal(codes, s.Replies) {
			t.Errorf("session %d replies %v, want %v", i, codes, s.Replies)
		}
		if rst := c.dir[s.Client].reset() || c.dir[s.Server].reset(); rst != s.Reset {
			t.Errorf("session %d: reset %v, want %v", i, rst, s.Reset)
		}
		if s.Midstream == c.syn {
			t.Errorf("session %d: midstream %v not reflected", i, s.Midstream)
		}
		for j, tr := range s.Transfers {
			d := find(conns, tr.Client, tr.Server, 0)
			if d == nil {
				t.Errorf("session %d transfer %d: no connection %v-%v", i, j, tr.Client, tr.Server)
				continue
			}
			from := d.dir[tr.Server]
			if tr.Upload {
				from = d.dir[tr.Client]
			}
			if from.end != tr.Bytes || len(from.bytes) != tr.Bytes-tr.Missing {
				t.Errorf("session %d transfer %d: %d bytes (%d captured), want %d (%d missing)",
					i, j, from.end, len(from.bytes), tr.Bytes, tr.Missing)
			}
			if rst := d.dir[tr.Server].reset() || d.dir[tr.Client].reset(); rst != tr.Reset {
				t.Errorf("session %d transfer %d: reset %v", i, j, rst)
			}
		}
	}
	for _, ap := range facts.NotFTP {
		if !slices.ContainsFunc(conns, func(c *conn) bool { return c.server == ap }) {
			t.Errorf("non-FTP conversation with %v missing", ap)
		}
	}
}
