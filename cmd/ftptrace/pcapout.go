package main

import (
	"fmt"
	"io"
	"net/netip"
	"time"

	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"

	"github.com/ftptrace/ftptrace/analyzer"
	"github.com/ftptrace/ftptrace/reassembly"
)

// -w FILE with capture files writes the packets of the sessions shown,
// control and data connections, so that one session can be handed to
// Wireshark. The sessions are known only once analysed, so the captures
// are read a second time (which standard input cannot be).

// connSpan is one connection of a shown session: its endpoints, and the
// capture times of its first and last packets.
type connSpan struct {
	key        connKey
	start, end time.Time
}

// connKey names a connection whichever way its packets go.
type connKey struct{ a, b netip.AddrPort }

func keyOf(x, y netip.AddrPort) connKey {
	if x.Compare(y) > 0 {
		x, y = y, x
	}
	return connKey{x, y}
}

// sessionConns lists a session's connections, before Release lets go of
// its data connections.
func sessionConns(s *analyzer.Session) []connSpan {
	spans := []connSpan{{keyOf(s.Client, s.Server), s.Start, s.End}}
	for _, dc := range s.DataConns {
		start, end := dc.Start, dc.End
		if start.IsZero() {
			start = s.Start
		}
		if end.IsZero() || end.Before(start) {
			end = s.End
		}
		spans = append(spans, connSpan{keyOf(dc.Client, dc.Server), start, end})
	}
	return spans
}

// writeSelected reads the captures again and writes the packets of the
// spans' connections, within their times, to out as pcap. It returns the
// number of packets written.
func writeSelected(out io.Writer, inputs []input, spans []connSpan, count int) (int, error) {
	byKey := map[connKey][]connSpan{}
	for _, sp := range spans {
		byKey[sp.key] = append(byKey[sp.key], sp)
	}
	var w *pcapgo.Writer
	var link layers.LinkType
	dec := reassembly.NewDecoder()
	written, read := 0, 0
	for _, in := range inputs {
		src, err := reassembly.Open(in.name)
		if err != nil {
			return written, fmt.Errorf("-w: read %s again: %w", in.name, err)
		}
		for count == 0 || read < count {
			data, ci, lt, err := src.ReadPacket()
			if err != nil {
				break // the end, or the damage the analysis reported already
			}
			read++
			seg, ok := dec.Decode(data, lt)
			if !ok || !wanted(byKey[keyOf(seg.Src, seg.Dst)], ci.Timestamp) {
				continue
			}
			if w == nil {
				link = lt
				w = pcapgo.NewWriterNanos(out)
				if err := w.WriteFileHeader(reassembly.DefaultSnaplen, lt); err != nil {
					src.Close()
					return written, err
				}
			} else if lt != link {
				src.Close()
				return written, errorf("-w: the captures mix link types (%s and %s), which one pcap file cannot hold", link, lt)
			}
			if err := w.WritePacket(ci, data); err != nil {
				src.Close()
				return written, err
			}
			written++
		}
		src.Close()
	}
	if w == nil {
		// No packet: still a valid, empty capture.
		w = pcapgo.NewWriterNanos(out)
		if err := w.WriteFileHeader(reassembly.DefaultSnaplen, layers.LinkTypeEthernet); err != nil {
			return 0, err
		}
	}
	return written, nil
}

func wanted(spans []connSpan, t time.Time) bool {
	for _, sp := range spans {
		if !t.Before(sp.start) && !t.After(sp.end) {
			return true
		}
	}
	return false
}
