package synth

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"os"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/pcapgo"
)

// SnapLen is the snapshot length recorded in written files.
const SnapLen = 65535

// WriteFile writes the capture to name in the format from Options.
func (c *Capture) WriteFile(name string) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	if err := c.WriteTo(f, c.opts.Format); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", name, err)
	}
	return f.Close()
}

// WriteTo writes the capture to w in format f.
func (c *Capture) WriteTo(w io.Writer, f Format) error {
	switch f {
	case PCAP, PCAPNano:
		pw := pcapgo.NewWriter(w)
		if f == PCAPNano {
			pw = pcapgo.NewWriterNanos(w)
		}
		if err := pw.WriteFileHeader(SnapLen, c.opts.Link.LinkType()); err != nil {
			return err
		}
		for _, p := range c.packets {
			if err := pw.WritePacket(captureInfo(p), p.Data); err != nil {
				return err
			}
		}
		return nil
	case PCAPNG:
		return c.writeNg(w)
	case PCAPBigEndian:
		return c.writeBigEndian(w)
	case NetMon20, NetMon23:
		return c.writeNetMon(w, map[Format]byte{NetMon20: 0, NetMon23: 3}[f])
	case ISeries, ISeriesASCII:
		return c.writeISeries(w, f == ISeries)
	case PCAPSS990417, PCAPSS990915, PCAPNokia:
		return c.writePcapVariant(w, f)
	}
	return fmt.Errorf("synth: unknown format %d", f)
}

func captureInfo(p Packet) gopacket.CaptureInfo {
	return gopacket.CaptureInfo{Timestamp: p.Time, CaptureLength: len(p.Data), Length: len(p.Data)}
}

// writeNg writes pcapng with fixed section and interface metadata, so the
// output does not depend on the platform that generated it.
func (c *Capture) writeNg(w io.Writer) error {
	intf := pcapgo.NgInterface{
		Name:                "synth0",
		LinkType:            c.opts.Link.LinkType(),
		SnapLength:          SnapLen,
		TimestampResolution: 9,
	}
	opts := pcapgo.NgWriterOptions{SectionInfo: pcapgo.NgSectionInfo{Application: "ftpsynth"}}
	nw, err := pcapgo.NewNgWriterInterface(w, intf, opts)
	if err != nil {
		return err
	}
	for _, p := range c.packets {
		if err := nw.WritePacket(captureInfo(p), p.Data); err != nil {
			return err
		}
	}
	return nw.Flush()
}

// writeBigEndian writes classic pcap in big-endian byte order (magic
// a1b2c3d4 as stored by big-endian hosts). pcapgo only writes
// little-endian files, so header and records are encoded here.
func (c *Capture) writeBigEndian(w io.Writer) error {
	return c.writeClassic(w, binary.BigEndian, 0xa1b2c3d4, nil)
}

// writeClassic writes classic pcap (microseconds) in byte order order,
// with magic; extra, when set, gives the bytes a variant's record header
// adds after the standard 16 for packet i.
func (c *Capture) writeClassic(w io.Writer, order binary.AppendByteOrder, magic uint32, extra func(i int) []byte) error {
	bw := bufio.NewWriter(w)
	hdr := order.AppendUint32(nil, magic)
	hdr = order.AppendUint16(hdr, 2)
	hdr = order.AppendUint16(hdr, 4)
	hdr = order.AppendUint32(hdr, 0) // thiszone
	hdr = order.AppendUint32(hdr, 0) // sigfigs
	hdr = order.AppendUint32(hdr, SnapLen)
	hdr = order.AppendUint32(hdr, uint32(c.opts.Link.LinkType()))
	if _, err := bw.Write(hdr); err != nil {
		return err
	}
	for i, p := range c.packets {
		rec := order.AppendUint32(nil, uint32(p.Time.Unix()))
		rec = order.AppendUint32(rec, uint32(p.Time.Nanosecond()/1000))
		rec = order.AppendUint32(rec, uint32(len(p.Data)))
		rec = order.AppendUint32(rec, uint32(len(p.Data)))
		if extra != nil {
			rec = append(rec, extra(i)...)
		}
		if _, err := bw.Write(append(rec, p.Data...)); err != nil {
			return err
		}
	}
	return bw.Flush()
}
