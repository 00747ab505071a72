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
	bw := bufio.NewWriter(w)
	be := binary.BigEndian
	hdr := be.AppendUint32(nil, 0xa1b2c3d4)
	hdr = be.AppendUint16(hdr, 2)
	hdr = be.AppendUint16(hdr, 4)
	hdr = be.AppendUint32(hdr, 0) // thiszone
	hdr = be.AppendUint32(hdr, 0) // sigfigs
	hdr = be.AppendUint32(hdr, SnapLen)
	hdr = be.AppendUint32(hdr, uint32(c.opts.Link.LinkType()))
	if _, err := bw.Write(hdr); err != nil {
		return err
	}
	for _, p := range c.packets {
		rec := be.AppendUint32(nil, uint32(p.Time.Unix()))
		rec = be.AppendUint32(rec, uint32(p.Time.Nanosecond()/1000))
		rec = be.AppendUint32(rec, uint32(len(p.Data)))
		rec = be.AppendUint32(rec, uint32(len(p.Data)))
		if _, err := bw.Write(append(rec, p.Data...)); err != nil {
			return err
		}
	}
	return bw.Flush()
}
