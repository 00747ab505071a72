package report

import (
	"fmt"
	"io"
	"time"

	"github.com/ftptrace/ftptrace/analyzer"
	"github.com/ftptrace/ftptrace/diagnose"
)

// ms writes a duration in milliseconds, three decimals.
func ms(d time.Duration) string { return fmt.Sprintf("%.3f ms", float64(d.Microseconds())/1000) }

// LatencySession writes where the time of one session went: the round trip
// from the handshakes, every command's wait for its first reply line split
// into the network's and the server's share, the slowest commands, and
// each transfer's data connection: setup, handshake, first byte, duration
// and throughput.
func LatencySession(w io.Writer, s *analyzer.Session) error {
	ew := &errWriter{w: w}
	l := diagnose.SessionLatency(s)
	ew.printf("%s\n", tr("Session %d: FTP client %s, server %s", s.ID, s.Client, s.Server))
	if l.RTT.Known() {
		ew.printf("  %s\n", tr("Round trip %s (median of %s): %s between the capture point and the server, %s between it and the client.",
			ms(l.RTT.Total), plural(l.RTT.Samples, "handshake"), ms(l.RTT.ServerSide), ms(l.RTT.ClientSide)))
	} else {
		ew.printf("  %s\n", tr("Round trip unknown: no handshake was captured whole (the network share of each wait is then counted as the server's)."))
	}
	if len(l.Commands) > 0 {
		ew.printf("  %s\n", tr("Commands: time to the first reply line at the capture point = network (round trip to the server) + server:"))
		ew.printf("    %5s  %-24s %5s  %12s  %12s  %12s\n", tr("step"), tr("command"), tr("reply"), tr("total"), tr("network"), tr("server"))
		for _, c := range l.Commands {
			code := c.Command.Prelim
			if code == 0 {
				code = c.Command.ReplyCode
			}
			ew.printf("    %5d  %-24s %5d  %12s  %12s  %12s\n", c.Command.Step, commandLabel(c.Command), code, ms(c.Reply), ms(c.Network), ms(c.Server))
		}
		if slow := l.Slowest(3); len(slow) > 0 {
			parts := make([]string, len(slow))
			for i, c := range slow {
				parts[i] = tr("%s (step %d, %s of server time)", commandLabel(c.Command), c.Command.Step, ms(c.Server))
			}
			ew.printf("  %s\n", tr("Slowest: %s.", joinWords(parts)))
		}
	}
	for _, d := range l.Data {
		t := d.Transfer
		ew.printf("  %s\n", tr("Transfer %d (%s, %s mode):", t.ID, commandLabel(&analyzer.Command{Verb: t.Command, Arg: t.Arg}), modeWord(t.Mode)))
		if t.Data == nil {
			ew.printf("    %s\n", tr("no data connection in the capture."))
			continue
		}
		if d.HasSetup {
			key := "data connection opened %s after the transfer command (the server's time to connect)"
			if t.Mode == "passive" {
				key = "data connection opened %s after the passive reply (the client's time to connect)"
			}
			ew.printf("    %s\n", tr(key, ms(d.Setup)))
		}
		if d.HasHandshake {
			ew.printf("    %s\n", tr("SYN -> SYN,ACK: %s", ms(d.Handshake)))
		}
		if d.HasFirstByte {
			ew.printf("    %s\n", tr("first byte %s after the command; %s in %s: %s", ms(d.FirstByte), humanBytes(d.Bytes), ms(d.Duration), rateWords(d.Rate())))
		}
	}
	ew.printf("\n")
	return ew.err
}

func commandLabel(c *analyzer.Command) string {
	label := Clean(c.Verb)
	if c.Verb == "PASS" {
		return label // the password stays out of the latency table
	}
	if c.Arg != "" {
		label += " " + Clean(c.Arg)
	}
	if r := []rune(label); len(r) > 24 {
		label = string(r[:21]) + "..."
	}
	return label
}

func modeWord(mode string) string {
	if mode == "" {
		return tr("unknown")
	}
	return tr(mode)
}

func rateWords(bps float64) string {
	if bps == 0 {
		return tr("too short to measure")
	}
	return diagnose.Rate(bps)
}
