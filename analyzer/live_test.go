package analyzer_test

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"testing"
	"time"

	"github.com/ftptrace/ftptrace/analyzer"
	"github.com/ftptrace/ftptrace/reassembly"
)

type emitted struct {
	session, n int
	stepTime   time.Time
	at         time.Time // capture time when it was handed out
	what       string
}

func stepKey(st *analyzer.Step) string {
	return fmt.Sprintf("%s %s %s %s%s %d %s", st.Time.Format(time.RFC3339Nano), st.Conn, st.Kind, st.Command, st.Arg, st.Code, st.Phase)
}

// TestLiveEmission replays captures packet by packet as a live capture
// would and checks the reordering window: every step comes out once, in
// the same order and with the same number as the offline timeline, and
// none before the window has passed over it.
func TestLiveEmission(t *testing.T) {
	for _, name := range []string{"article-active.pcap", "synth-reorder.pcap", "vsftpd-active.pcap", "synth-teardowns.pcap"} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join("..", "testdata", "pcaps", name)
			offline := analyzeFile(t, path)
			var got []emitted
			var now time.Time
			ended := 0
			an := analyzer.New(analyzer.Options{
				OnStep: func(s *analyzer.Session, st *analyzer.Step) {
					got = append(got, emitted{s.ID, st.N, st.Time, now, stepKey(st)})
				},
				OnSession: func(*analyzer.Session) { ended++ },
			})
			tr := reassembly.NewTracker(an, reassembly.DefaultOptions)
			src, err := reassembly.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer src.Close()
			for {
				data, ci, lt, err := src.ReadPacket()
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				now = ci.Timestamp
				tr.Packet(data, ci, lt)
				an.Flush(now)
			}
			now = time.Time{} // the end of the capture releases everything
			tr.Close()
			an.Finish()
			if ended != len(offline) {
				t.Errorf("%d sessions ended, want %d", ended, len(offline))
			}
			i := 0
			for _, s := range offline {
				for k := range s.Steps {
					st := &s.Steps[k]
					if i >= len(got) {
						t.Fatalf("live output stopped after %d steps", i)
					}
					g := got[i]
					if g.session != s.ID || g.n != st.N || g.what != stepKey(st) {
						t.Fatalf("live step %d is session %d #%d %q; offline session %d #%d %q", i, g.session, g.n, g.what, s.ID, st.N, stepKey(st))
					}
					if !g.at.IsZero() && g.at.Before(g.stepTime.Add(analyzer.DefaultWindow)) && g.at.After(g.stepTime) {
						t.Errorf("step %d came out at %v, before the window passed over it (%v)", g.n, g.at, g.stepTime)
					}
					i++
				}
			}
			if i != len(got) {
				t.Errorf("live output has %d steps, offline %d", len(got), i)
			}
		})
	}
}
