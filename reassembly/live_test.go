//go:build cgo

package reassembly

import (
	"errors"
	"fmt"
	"net"
	"testing"
)

// TestLiveBufferHoldsSmallPackets: a burst of small packets arrives while
// nothing reads the capture, and the kernel's buffer must hold them all.
// With 1 MiB in immediate mode libpcap gave each packet a frame as large
// as the loopback's MTU, in a 128 KiB block of its own: 8 packets, and
// the other 392 of this burst were dropped (issue 21: a fast transfer's
// ACKs overflowed 32 MiB the same way). Read as tcpdump -w reads (blocks in
// which packets lie one after another), 1 MiB holds the burst many times.
// It needs root (CI is root); elsewhere it says why it skips.
func TestLiveBufferHoldsSmallPackets(t *testing.T) {
	needRoot(t, "capturing on lo")
	conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	port := conn.LocalAddr().(*net.UDPAddr).Port
	src, err := OpenLive("lo", LiveOptions{BufferKiB: 1024, BPF: fmt.Sprintf("udp and dst port %d", port)})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()

	const burst = 400
	out, err := net.DialUDP("udp4", nil, conn.LocalAddr().(*net.UDPAddr))
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	payload := make([]byte, 100)
	for i := range burst {
		payload[0] = byte(i)
		if _, err := out.Write(payload); err != nil {
			t.Fatal(err)
		}
	}

	// Only now read: the burst waited in the kernel's buffer.
	read := 0
	for idle := 0; read < burst && idle < 5; {
		_, _, _, err := src.ReadPacket()
		switch {
		case errors.Is(err, ErrNoPacket):
			idle++
		case err != nil:
			t.Fatal(err)
		default:
			read++
		}
	}
	st, err := src.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if read != burst || st.DroppedByKernel != 0 {
		t.Errorf("read %d of a burst of %d small packets, the kernel dropped %d (received %d): a 1 MiB buffer must hold them", read, burst, st.DroppedByKernel, st.Received)
	}
}
