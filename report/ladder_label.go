package report

import (
	"fmt"
	"strings"

	"github.com/ftptrace/ftptrace/analyzer"
)

// connSuffix names a data connection in a band's label.
func connSuffix(st *analyzer.Step) string {
	if st.Conn == analyzer.RoleData {
		return fmt.Sprintf(", data #%d", st.DataID)
	}
	return ""
}

// ladderLabel is the arrow's text, in the timeline's words, and its style.
func ladderLabel(s *analyzer.Session, st *analyzer.Step) (string, string) {
	phase := ""
	if st.Phase != "" && st.Phase != "handshake" {
		phase = " [" + st.Phase + "]"
	}
	switch st.Kind {
	case analyzer.KindACK:
		if st.DupACK {
			return "ACK (duplicate)" + phase, styleACK
		}
		if phase != "" {
			return "ACK" + phase, styleCtl
		}
		return "ACK", styleACK
	case analyzer.KindCommand:
		what := Clean(st.Command)
		if st.Arg != "" || strings.HasSuffix(st.Command, " ") {
			what += " " + Clean(st.Arg)
		}
		what = elideEnd(what, 64)
		if st.Cleartext && st.Anonymous {
			return what + " (anonymous: no secret)", styleCtl
		}
		if st.Cleartext {
			return what + " (clear text!)", styleAlert
		}
		return what, styleCtl
	case analyzer.KindReply:
		lines := CleanLines(st.Text)
		code := fmt.Sprint(st.Code)
		if st.Code == 0 {
			code = "(no code)"
		}
		what := elideEnd(code+" "+lines[0], 64)
		if len(lines) > 1 {
			what += fmt.Sprintf(" [+%d lines]", len(lines)-1)
		}
		return what, styleCtl
	case analyzer.KindData:
		if st.Conn == analyzer.RoleControl {
			return "TLS: " + humanBytes(st.Bytes), styleTLS
		}
		what := "data, " + humanBytes(st.Bytes)
		for _, tr := range s.Transfers {
			if tr.Data != nil && tr.Data.ID == st.DataID {
				what = Clean(tr.Command) + " " + what
				break
			}
		}
		return what, styleData
	case analyzer.KindGap:
		return "missing " + humanBytes(st.Bytes) + " (not captured)", styleGap
	case analyzer.KindRST:
		return st.Flags + phase, styleRST
	}
	return st.Flags + phase, styleCtl
}
