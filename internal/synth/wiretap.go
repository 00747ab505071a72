package synth

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"time"
)

// Formats that Wireshark reads and pcapgo does not: Microsoft Network
// Monitor 2.x and the pcap variants with longer record headers. Each is
// written from its documentation (NetMon 3's "Capture File Format", the
// patched libpcaps' headers), so ftptrace's readers can be checked against
// Wireshark on captures of the project's own.

// writeNetMon writes a NetMon 2.x file (version 2.minor) of an Ethernet
// capture: the 128-byte header, the records in capture order, the frame
// table at the end. From 2.3 on each record's trailer holds its UTC time.
func (c *Capture) writeNetMon(w io.Writer, minor byte) error {
	if c.opts.Link != Ethernet {
		return fmt.Errorf("synth: NetMon files are written for Ethernet captures only")
	}
	le := binary.LittleEndian
	start := c.opts.Start.UTC().Truncate(time.Millisecond)
	if len(c.packets) > 0 {
		start = c.packets[0].Time.UTC().Truncate(time.Millisecond)
	}
	trailer := map[byte]int{0: 0, 1: 2, 2: 6}[minor]
	if minor >= 3 {
		trailer = 15
	}
	var body []byte
	var table []byte
	for _, p := range c.packets {
		table = le.AppendUint32(table, uint32(128+len(body)))
		body = le.AppendUint64(body, uint64(p.Time.Sub(start)/time.Microsecond))
		body = le.AppendUint32(body, uint32(len(p.Data)))
		body = le.AppendUint32(body, uint32(len(p.Data)))
		body = append(body, p.Data...)
		if trailer > 0 {
			t := make([]byte, trailer)
			le.PutUint16(t, 1) // Ethernet
			if trailer == 15 {
				le.PutUint64(t[6:], fileTime(p.Time))
			}
			body = append(body, t...)
		}
	}
	h := make([]byte, 128)
	copy(h, "GMBU")
	h[4], h[5] = minor, 2
	le.PutUint16(h[6:], 1) // Ethernet
	for i, v := range []int{start.Year(), int(start.Month()), int(start.Weekday()), start.Day(),
		start.Hour(), start.Minute(), start.Second(), start.Nanosecond() / 1e6} {
		le.PutUint16(h[8+2*i:], uint16(v))
	}
	le.PutUint32(h[24:], uint32(128+len(body)))
	le.PutUint32(h[28:], uint32(len(table)))
	bw := bufio.NewWriter(w)
	for _, b := range [][]byte{h, body, table} {
		if _, err := bw.Write(b); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// fileTime is t as a Windows FILETIME: 100 ns since 1601-01-01 UTC.
func fileTime(t time.Time) uint64 {
	return uint64(t.Unix()+11644473600)*1e7 + uint64(t.Nanosecond()/100)
}

// writePcapVariant writes classic pcap (little-endian, microseconds) with
// the longer record headers of the patched libpcaps: after the standard
// 16 bytes, Kuznetsov's interface index, protocol, packet type and a pad
// byte (ss990417 under the standard magic; ss990915 under a1b2cd34 with
// five bytes more), or Nokia IPSO's four bytes.
func (c *Capture) writePcapVariant(w io.Writer, f Format) error {
	le := binary.LittleEndian
	magic, size := uint32(0xa1b2c3d4), 8
	switch f {
	case PCAPSS990915:
		magic, size = 0xa1b2cd34, 12
	case PCAPNokia:
		size = 4
	}
	return c.writeClassic(w, le, magic, func(i int) []byte {
		more := make([]byte, size)
		if f == PCAPNokia {
			le.PutUint32(more, 0x9fbfb601)
			return more
		}
		le.PutUint32(more, 2)          // interface index: eth0
		le.PutUint16(more[4:], 0x0800) // ETH_P_IP
		more[6] = byte(i % 2 * 4)      // PACKET_HOST or PACKET_OUTGOING
		return more
	})
}
