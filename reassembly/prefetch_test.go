package reassembly_test

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ftptrace/ftptrace/reassembly"
)

type readPacket struct {
	data []byte
	n    int
}

func readAll(t *testing.T, r reassembly.PacketReader) ([]readPacket, error) {
	t.Helper()
	var out []readPacket
	for {
		data, ci, _, err := r.ReadPacket()
		if err != nil {
			return out, err
		}
		out = append(out, readPacket{bytes.Clone(data), ci.CaptureLength})
	}
}

// TestPrefetchSameAsDirect reads captures through the prefetching reader and
// directly: the same packets in the same order, then the same error (io.EOF,
// or the damage after every packet before it).
func TestPrefetchSameAsDirect(t *testing.T) {
	raw := reassembly.ManyCopies(t, "vsftpd-passive.pcap", 1)
	many := reassembly.ManyCopies(t, "vsftpd-passive.pcap", 60) // several batches of the prefetcher
	for name, data := range map[string][]byte{"whole": raw, "cut": raw[:len(raw)/2], "many": many, "many cut": many[:len(many)-7]} {
		t.Run(name, func(t *testing.T) {
			direct, err := reassembly.NewReader(bytes.NewReader(data), name)
			if err != nil {
				t.Fatal(err)
			}
			want, wantErr := readAll(t, direct)
			viaSrc, _ := reassembly.NewReader(bytes.NewReader(data), name)
			got, gotErr := readAll(t, reassembly.NewPrefetch(viaSrc))
			if len(got) != len(want) {
				t.Fatalf("%d packets through prefetch, %d directly", len(got), len(want))
			}
			for i := range got {
				if !bytes.Equal(got[i].data, want[i].data) || got[i].n != want[i].n {
					t.Fatalf("packet %d differs", i+1)
				}
			}
			if (gotErr == io.EOF) != (wantErr == io.EOF) || gotErr.Error() != wantErr.Error() {
				t.Errorf("error %v through prefetch, %v directly", gotErr, wantErr)
			}
			if name != "whole" && name != "many" && errors.Is(wantErr, io.EOF) {
				t.Error("the cut capture read to a clean end")
			}
		})
	}
}

// TestDecodingPrefetch: segments decoded ahead are the ones a decoder gives
// on the spot, batch boundaries included.
func TestDecodingPrefetch(t *testing.T) {
	many := reassembly.ManyCopies(t, "vsftpd-passive.pcap", 60)
	direct, _ := reassembly.NewReader(bytes.NewReader(many), "direct")
	ahead, _ := reassembly.NewReader(bytes.NewReader(many), "ahead")
	p := reassembly.NewDecodingPrefetch(ahead)
	dec := reassembly.NewDecoder()
	n := 0
	for {
		data, _, lt, err := direct.ReadPacket()
		size, _, seg, ok, perr := p.NextSegment()
		if err != nil || perr != nil {
			if err != io.EOF || perr != io.EOF {
				t.Fatalf("packet %d: errors %v and %v", n+1, err, perr)
			}
			break
		}
		n++
		want, wok := dec.Decode(data, lt)
		if ok != wok || size != len(data) {
			t.Fatalf("packet %d: ok %v size %d, want %v %d", n, ok, size, wok, len(data))
		}
		if ok && (seg.Src != want.Src || seg.Dst != want.Dst || seg.TCP.Seq != want.TCP.Seq || seg.TCP.Ack != want.TCP.Ack ||
			seg.TCP.SYN != want.TCP.SYN || seg.TCP.FIN != want.TCP.FIN || !bytes.Equal(seg.TCP.Payload, want.TCP.Payload) ||
			seg.TCP.SrcPort != want.TCP.SrcPort || seg.TCP.DstPort != want.TCP.DstPort ||
			seg.TCP.PSH != want.TCP.PSH || seg.TCP.RST != want.TCP.RST || seg.TCP.ACK != want.TCP.ACK || seg.TCP.URG != want.TCP.URG) {
			t.Fatalf("packet %d decoded ahead differs", n)
		}
	}
	if n != 82*60 {
		t.Errorf("%d packets, want %d", n, 82*60)
	}
}

// trackRaw follows a capture held in memory with a tracker reporting to h,
// through Prefetch.Follow or packet by packet, and returns its counts.
func trackRaw(t *testing.T, raw []byte, h reassembly.Handler, follow bool) reassembly.Stats {
	t.Helper()
	src, err := reassembly.NewReader(bytes.NewReader(raw), "capture")
	if err != nil {
		t.Fatal(err)
	}
	tr := reassembly.NewTracker(h, reassembly.DefaultOptions)
	if follow {
		if err := reassembly.NewDecodingPrefetch(src).Follow(tr); err != io.EOF {
			t.Fatalf("Follow ended with %v", err)
		}
	} else {
		for {
			data, ci, lt, err := src.ReadPacket()
			if err != nil {
				break
			}
			tr.Packet(data, ci, lt)
		}
	}
	tr.Close()
	return tr.Stats
}

// TestFollowSameAsPacket: a tracker fed by Prefetch.Follow reports the
// events and counts one fed packet by packet (Tracker.Packet) does, over
// many batches, on every capture of the project.
func TestFollowSameAsPacket(t *testing.T) {
	eachCapture(t, func(name string, want *recorder) {
		sameEventsByConn(t, name+" through Follow", trackWith(t, name, true), want)
	})

	// Across batch boundaries: the same capture many times over.
	many := reassembly.ManyCopies(t, "vsftpd-passive.pcap", 60)
	count := func(follow bool) reassembly.Stats { return trackRaw(t, many, &recorder{}, follow) }
	if got, want := count(true), count(false); got != want || want.Packets != 82*60 {
		t.Errorf("stats through Follow %+v, packet by packet %+v (want %d packets)", got, want, 82*60)
	}
}

// ignoring records events, and ignores connections as the analyzer does:
// those off port 21 at once (Classify), and every other control
// connection after its first payload (HandleEvent). Follow skips the
// segments of ignored connections without making them (skipIgnored).
type ignoring struct{ recorder }

func (r *ignoring) Classify(c *reassembly.Conn, _ time.Time) {
	if c.Server.Port() != 21 && c.Client.Port() != 21 {
		c.Ignore()
	}
}

func (r *ignoring) HandleEvent(c *reassembly.Conn, e *reassembly.Event) {
	r.recorder.HandleEvent(c, e)
	if e.Kind == reassembly.EventPayload && c.ID%2 == 0 {
		c.Ignore()
	}
}

// TestFollowSkipsIgnoredAsPacket: with connections ignored, from the start
// or midway, Follow gives the events and counts that packet-by-packet
// tracking gives, in every capture of the project and across batches.
func TestFollowSkipsIgnoredAsPacket(t *testing.T) {
	run := func(raw []byte, follow bool) (*ignoring, reassembly.Stats) {
		r := &ignoring{}
		return r, trackRaw(t, raw, r, follow)
	}
	paths, _ := filepath.Glob(filepath.Join("..", "testdata", "pcaps", "*.pcap"))
	events := 0
	for _, collide := range []bool{false, true} {
		if collide { // every connection under one hash: skipIgnored must tell them apart
			defer reassembly.CollideAllFlows()()
		}
		events += followIgnoring(t, paths, run)
	}
	if events < 2000 {
		t.Fatalf("only %d events compared: the captures were not read", events)
	}
}

func followIgnoring(t *testing.T, paths []string, run func(raw []byte, follow bool) (*ignoring, reassembly.Stats)) (events int) {
	for _, path := range paths {
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			what string
			raw  []byte
		}{{filepath.Base(path), raw}, {filepath.Base(path) + " 40 times over", reassembly.ManyCopies(t, filepath.Base(path), 40)}} {
			want, wantStats := run(c.raw, false)
			got, gotStats := run(c.raw, true)
			sameEventsByConn(t, c.what+" through Follow", &got.recorder, &want.recorder)
			if gotStats != wantStats {
				t.Errorf("%s: stats through Follow %+v, packet by packet %+v", c.what, gotStats, wantStats)
			}
			events += len(want.events)
		}
	}
	return events
}
