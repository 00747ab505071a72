package analyzer

import (
	"errors"
	"io"

	"github.com/ftptrace/ftptrace/reassembly"
)

// Run analyses every packet of one capture with a fresh tracker and
// analyzer and returns the sessions in the order they began, with what the
// tracker counted. A damaged capture returns what came before the damage
// together with the error.
func Run(src reassembly.PacketReader, opts Options) ([]*Session, reassembly.Stats, error) {
	an := New(opts)
	tr := reassembly.NewTracker(an, reassembly.DefaultOptions)
	var rerr error
	for {
		data, ci, lt, err := src.ReadPacket()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			rerr = err
			break
		}
		tr.Packet(data, ci, lt)
	}
	tr.Close()
	return an.Finish(), tr.Stats, rerr
}
