//go:build !cgo

package reassembly

import (
	"errors"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// ErrNoLiveCapture is what live capture says in a build without cgo: it
// reads capture files, but libpcap needs cgo.
var ErrNoLiveCapture = errors.New("this ftptrace was built without cgo, so without libpcap: it reads capture files but cannot capture live; build one that can with: sudo apt-get install libpcap-dev && CGO_ENABLED=1 go build ./cmd/ftptrace")

// LiveSource stands for a live capture, which this build cannot make.
type LiveSource struct{ Iface string }

// OpenLive fails: no libpcap in this build.
func OpenLive(iface string, opts LiveOptions) (*LiveSource, error) { return nil, ErrNoLiveCapture }

// ReadPacket never returns a packet.
func (l *LiveSource) ReadPacket() ([]byte, gopacket.CaptureInfo, layers.LinkType, error) {
	return nil, gopacket.CaptureInfo{}, 0, ErrNoLiveCapture
}

// Stats has nothing to count.
func (l *LiveSource) Stats() (LiveStats, error) { return LiveStats{}, ErrNoLiveCapture }

// Close does nothing.
func (l *LiveSource) Close() error { return nil }

// Interfaces fails: no libpcap in this build.
func Interfaces() ([]Interface, error) { return nil, ErrNoLiveCapture }

// SaveTrouble has nothing to say: nothing is saved.
func (l *LiveSource) SaveTrouble() error { return nil }

// NotSaved is nothing: nothing is captured.
func (l *LiveSource) NotSaved() (int, error) { return 0, nil }
