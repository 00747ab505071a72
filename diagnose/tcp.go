package diagnose

import (
	"strconv"
	"time"

	"github.com/ftptrace/ftptrace/analyzer"
	"github.com/ftptrace/ftptrace/reassembly"
)

// Thresholds of the TCP rules: below them a transfer is healthy.
const (
	zeroWindowMin  = 100 * time.Millisecond // closed receive window, in all
	lossMinSegs    = 20                     // data segments before a loss rate means anything
	lossMinRetrans = 3
	lossMinRate    = 0.005 // 0.5% of the segments sent again
	windowMinSegs  = 50
	windowMinRTT   = 2 * time.Millisecond // below, a window never limits a transfer for long
)

// sender names who sent one direction of a data connection (0: the
// initiator's bytes) in FTP terms.
func sender(dc *analyzer.DataConn, i int) string {
	initiatorIsClient := dc.Expect == nil || dc.Expect.Mode != "active"
	return side((i == 0) == initiatorIsClient)
}

// transferOfConn is the transfer that used a data connection, nil for none.
func (r *reading) transferOfConn(dc *analyzer.DataConn) *analyzer.Transfer {
	if dc.Expect != nil && dc.Expect.Transfer != nil {
		return dc.Expect.Transfer
	}
	for _, t := range r.s.Transfers {
		if t.Data == dc {
			return t
		}
	}
	return nil
}

// dataStep is the data step of one direction of a data connection.
func (r *reading) dataStep(dc *analyzer.DataConn, from string) int {
	for _, st := range r.dataSteps(dc, analyzer.KindData) {
		if side(st.FromClient) == from {
			return st.N
		}
	}
	if hs := dataHandshake(r.s, dc); hs != nil {
		return hs.N
	}
	return 0
}

// tcpTrouble reads the TCP facts of each data connection: a receiver that
// stopped reading (zero-window), segments sent again (loss), a receive
// window too small for the round trip (window-limited).
func tcpTrouble(r *reading) {
	for _, dc := range r.s.DataConns {
		if dc.TCP == nil || r.dataDone[dc] {
			continue
		}
		t := r.transferOfConn(dc)
		for i := 0; i < 2; i++ {
			tx, rx := dc.TCPSide(i), dc.TCPSide(i^1)
			if tx == nil || rx == nil {
				continue
			}
			from, to := sender(dc, i), sender(dc, i^1)
			zd, stalled := r.zeroWindow(dc, t, rx, from, to)
			if d, ok := r.loss(dc, t, tx, from, to); ok && !stalled {
				r.add(d)
			} else if ok {
				// A receiver whose buffer is full drops what does not fit:
				// those retransmissions are the stall's, not the network's.
				zd.Evidence = append(zd.Evidence, Evidence{Frames: []int{tx.FirstRetrans.Frame},
					Text: text("The %s sent %d segments again around the stalls: the full buffer dropped them, not the network.", from, tx.Retransmits)})
			}
			if stalled {
				r.add(zd)
			}
			if d, ok := r.windowLimited(dc, t, tx, rx, from, to); ok {
				r.add(d)
			}
		}
	}
}

func (r *reading) zeroWindow(dc *analyzer.DataConn, t *analyzer.Transfer, rx *reassembly.SideFacts, from, to string) (Diagnosis, bool) {
	if rx.ZeroWindows == 0 {
		return Diagnosis{}, false
	}
	total, longest := rx.ZeroTime, rx.LongestZero
	if rx.ZeroOpen && dc.End.After(rx.ZeroSince) {
		open := dc.End.Sub(rx.ZeroSince)
		total += open
		longest = max(longest, open)
	}
	if total < zeroWindowMin {
		return Diagnosis{}, false
	}
	d := Diagnosis{Cause: "zero-window", Severity: SeverityWarning,
		Title: text("%s stalled: the %s stopped reading (zero window for %s)", what(t), to, Duration(total)),
		Explain: text("The %s's receive window fell to zero %d times, %s in all (the longest %s): its buffer was full because the application behind it did not read (a full disk, a slow pipe or program, a paused client), not because of the network. The %s waited, probing the window, and resumed when it reopened.",
			to, rx.ZeroWindows, Duration(total), Duration(longest), from),
		Fix: text("Look at the receiving %s's side: the program's output (disk, pipe, antivirus scanning), its CPU; a larger receive buffer only hides short stalls.", to),
		Evidence: []Evidence{{Step: r.dataStep(dc, from), Frames: []int{rx.FirstZero.Frame},
			Text: text("Frame %d: the %s advertises a window of 0 bytes on data connection #%d.", rx.FirstZero.Frame, to, dc.ID)}}}
	if rx.ZeroOpen {
		d.Evidence = append(d.Evidence, Evidence{Text: text("The window was still closed at the connection's last packet.")})
	}
	return d, true
}

func (r *reading) loss(dc *analyzer.DataConn, t *analyzer.Transfer, tx *reassembly.SideFacts, from, to string) (Diagnosis, bool) {
	if tx.Segments < lossMinSegs || tx.Retransmits < lossMinRetrans || float64(tx.Retransmits) < lossMinRate*float64(tx.Segments) {
		return Diagnosis{}, false
	}
	pct := 100 * float64(tx.Retransmits) / float64(tx.Segments)
	d := Diagnosis{Cause: "loss", Severity: SeverityWarning,
		Title: text("%s lost packets: %d of %d segments from the %s were sent again (%s)", what(t), tx.Retransmits, tx.Segments, from, percent(pct)),
		Explain: text("On data connection #%d the %s sent %d segments (%s) again: they were lost on the way to the %s, and each loss makes TCP halve its sending rate. The capture saw the retransmissions, so the loss is real (on the network), not a gap of the capture.",
			dc.ID, from, tx.Retransmits, Bytes(tx.RetransBytes), to),
		Fix: text("Find the lossy link between the two hosts (interface error counters, a congested or faulty link, a duplex mismatch, Wi-Fi); mtr or repeated pings show where loss starts. Capturing on both ends tells on which side of the capture point it happens."),
		Evidence: []Evidence{{Step: r.dataStep(dc, from), Frames: []int{tx.FirstRetrans.Frame, tx.LastRetrans.Frame},
			Text: text("Frames %d to %d: the %s's retransmissions on data connection #%d.", tx.FirstRetrans.Frame, tx.LastRetrans.Frame, from, dc.ID)}}}
	if dl := dataLatency(r.s, t); t != nil && dl.Rate() > 0 {
		d.Evidence = append(d.Evidence, Evidence{Text: text("%s in %s: %s.", Bytes(dl.Bytes), Duration(dl.Duration), Rate(dl.Rate()))})
	}
	return d, true
}

func (r *reading) windowLimited(dc *analyzer.DataConn, t *analyzer.Transfer, tx, rx *reassembly.SideFacts, from, to string) (Diagnosis, bool) {
	rtt := r.rtt.Total
	if tx.FlightSamples < windowMinSegs || rtt < windowMinRTT || rx.MaxWindow == 0 || t == nil {
		return Diagnosis{}, false
	}
	dl := dataLatency(r.s, t)
	limit := float64(rx.MaxWindow) / rtt.Seconds()
	// The sender filled the receiver's window, and the rate is what one
	// window per round trip gives: the window, not the link or the
	// congestion window, set the pace.
	if dl.Duration < 10*rtt || dl.Rate() == 0 || 4*int64(tx.MaxFlight) < 3*int64(rx.MaxWindow) || dl.Rate() > 1.5*limit {
		return Diagnosis{}, false
	}
	scaling := text("The %s offered no window scaling, so its window cannot exceed 64 KiB.", to)
	if dc.TCP.Scaled() {
		scaling = text("Window scaling was negotiated; the %s's buffer itself is small.", to)
	}
	d := Diagnosis{Cause: "window-limited", Severity: SeverityWarning,
		Title: text("%s crawled at %s: the %s's receive window (%s) caps it at the round trip of %s", what(t), Rate(dl.Rate()), to, Bytes(int64(rx.MaxWindow)), Duration(rtt)),
		Explain: text("TCP sends at most one receive window per round trip: %s every %s is at most %s, whatever the link could carry. The %s kept up to %s in flight, all the window allowed, and then waited for acknowledgements.",
			Bytes(int64(rx.MaxWindow)), Duration(rtt), Rate(limit), from, Bytes(int64(tx.MaxFlight))),
		Fix: text("Enlarge the %s's receive buffer and keep window scaling on (Linux: net.ipv4.tcp_rmem and tcp_window_scaling; Windows: autotuning level normal); a middlebox that strips the window-scale option must let it through. A window of bandwidth x round trip is needed: for 100 Mbit/s at %s, %s.",
			to, Duration(rtt), Bytes(int64(12.5e6*rtt.Seconds()))),
		Evidence: []Evidence{{Step: r.dataStep(dc, from), Text: text("%s in %s: %s; the %s's largest window %s; round trip %s (from the handshakes).",
			Bytes(dl.Bytes), Duration(dl.Duration), Rate(dl.Rate()), to, Bytes(int64(rx.MaxWindow)), Duration(rtt))},
			{Text: scaling}}}
	return d, true
}

func percent(p float64) string {
	if p < 10 {
		return strconv.FormatFloat(p, 'f', 1, 64) + "%"
	}
	return strconv.FormatFloat(p, 'f', 0, 64) + "%"
}

// captureGaps names bytes missing from the capture that the receiver
// acknowledged: they crossed the network, the capture did not keep them
// (a busy capture host, a SPAN port dropping, a snap length).
func captureGaps(r *reading) {
	var gaps []*analyzer.Step
	var missing int64
	for i := range r.s.Steps {
		if st := &r.s.Steps[i]; st.Kind == analyzer.KindGap {
			gaps = append(gaps, st)
			missing += st.Bytes
		}
	}
	if len(gaps) == 0 {
		return
	}
	retrans := 0
	for _, dc := range r.s.DataConns {
		for i := 0; i < 2; i++ {
			if f := dc.TCPSide(i); f != nil {
				retrans += f.Retransmits
			}
		}
	}
	d := Diagnosis{Cause: "capture-loss", Severity: SeverityInfo,
		Title:   text("the capture missed %s in %d places; the network did not", Bytes(missing), len(gaps)),
		Explain: text("Bytes are missing from the capture, yet nothing was sent again and the connection went on: the receiver got them, and the capture did not keep them (a capture host that could not keep up, a mirror port dropping, a capture started or stopped mid-transfer). The transfers' sizes and digests cannot be checked; the network is not at fault."),
		Fix:     text("Capture again with a larger buffer (tcpdump -B 65536, dumpcap -B), on the host itself rather than a mirror port, with a filter that keeps only FTP; check the capture's drop counters (tcpdump prints them, pcapng keeps them)."),
	}
	switch {
	case retrans > 0 && len(gaps) == 1:
		d.Title = text("the capture missed %s in one place; some of it may be the network's", Bytes(missing))
		d.Explain = text("Bytes are missing from the capture in one place, and %d segments were sent again on the data connections: part of the gap may be loss on the network, the rest the capture's.", retrans)
	case retrans > 0:
		d.Title = text("the capture missed %s in %d places; some of it may be the network's", Bytes(missing), len(gaps))
		d.Explain = text("Bytes are missing from the capture in %d places, and %d segments were sent again on the data connections: part of the gaps may be loss on the network, the rest the capture's.", len(gaps), retrans)
	case len(gaps) == 1:
		d.Title = text("the capture missed %s in one place; the network did not", Bytes(missing))
	}
	for _, st := range gaps[:min(3, len(gaps))] {
		d.Evidence = append(d.Evidence, r.stepOf(st.N, text("%s missing from the %s's bytes.", Bytes(st.Bytes), side(st.FromClient))))
	}
	r.add(d)
}
