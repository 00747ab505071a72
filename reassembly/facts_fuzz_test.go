package reassembly

import (
	"net/netip"
	"testing"
)

// FuzzFactsParsers: the ICMP errors and the SYN options come from the
// capture; any bytes must give a result or nothing, never a panic.
func FuzzFactsParsers(f *testing.F) {
	// An ICMP port unreachable quoting 10.1.0.2:40000 -> 10.2.0.2:21000.
	icmp := []byte{3, 3, 0, 0, 0, 0, 0, 0,
		0x45, 0, 0, 40, 0, 0, 0x40, 0, 64, 6, 0, 0, 10, 1, 0, 2, 10, 2, 0, 2,
		0x9c, 0x40, 0x52, 0x08, 0, 0, 0, 100}
	// A TCP header with MSS 1460, NOP, window scale 7, SACK permitted.
	syn := []byte{0x9c, 0x40, 0x52, 0x08, 0, 0, 0, 100, 0, 0, 0, 0, 0x80, 0x02, 0xfa, 0xf0, 0, 0, 0, 0,
		2, 4, 5, 0xb4, 1, 3, 3, 7, 4, 2, 0, 0}
	f.Add(icmp, false)
	f.Add(syn, true)
	f.Fuzz(func(t *testing.T, data []byte, v6 bool) {
		if u, ok := parseUnreachable(netip.MustParseAddr("10.1.0.1"), v6, data); ok {
			if !u.Valid() || u.Src.Addr().Is4() == v6 || u.Reason() == "" {
				t.Errorf("parsed %+v from %x", u, data)
			}
		}
		var fa Facts
		fa.Side[0].WScale, fa.Side[1].WScale = -1, -1
		fa.Side[0].SYNs = 1
		fa.synOptions(ServerToClient, data, true)
		s := fa.Side[ServerToClient]
		if s.MSS < 0 || s.MSS > 65535 || s.WScale < -1 || s.WScale > 255 || fa.shift(ServerToClient) > 14 {
			t.Errorf("options %+v from %x", s, data)
		}
	})
}
