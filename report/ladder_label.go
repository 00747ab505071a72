package report

import (
	"fmt"

	"github.com/ftptrace/ftptrace/analyzer"
)

// connSuffix names a data connection in a band's label.
func connSuffix(st *analyzer.Step) string {
	if st.Conn == analyzer.RoleData {
		return tr(", data #%d", st.DataID)
	}
	return ""
}

// ladderLabel is the arrow's text, in the timeline's words, and its style.
func ladderLabel(s *analyzer.Session, st *analyzer.Step) (string, string) {
	phase := ""
	if st.Phase != "" && st.Phase != "handshake" {
		phase = " [" + tr(st.Phase) + "]"
	}
	switch st.Kind {
	case analyzer.KindACK:
		if st.DupACK {
			return tr("ACK (duplicate)") + phase, styleACK
		}
		if phase != "" {
			return "ACK" + phase, styleCtl
		}
		return "ACK", styleACK
	case analyzer.KindCommand:
		what := Clean(st.SentVerb())
		if st.Arg != "" {
			what += " " + Clean(st.Arg)
		}
		what = elideEnd(what, 64)
		if st.Cleartext && st.Anonymous {
			return what + " (anonymous: no secret)", styleCtl
		}
		if st.Cleartext {
			return what + tr(" (clear text!)"), styleAlert
		}
		return what, styleCtl
	case analyzer.KindReply:
		first, more := replyFirstLine(st.Text)
		code := fmt.Sprint(st.Code)
		if st.Code == 0 {
			code = tr("(no code)")
		}
		what := elideEnd(code+" "+Clean(first), 64)
		if more > 0 {
			what += tr(" [+%s]", plural(more, "line"))
		}
		return what, styleCtl
	case analyzer.KindData:
		if st.Conn == analyzer.RoleControl {
			return tr("TLS: %s", humanBytes(st.Bytes)), styleTLS
		}
		what := tr("data, %s", humanBytes(st.Bytes))
		for _, tr := range s.Transfers {
			if tr.Data != nil && tr.Data.ID == st.DataID {
				what = Clean(tr.Command) + " " + what
				break
			}
		}
		return what, styleData
	case analyzer.KindNotFTP, analyzer.KindTelnet:
		return elideEnd(stepWhat(st), 64), styleCtl // as the timeline says it
	case analyzer.KindGap:
		return tr("missing %s (not captured)", humanBytes(st.Bytes)), styleGap
	case analyzer.KindRST:
		return st.Flags + phase, styleRST
	}
	return st.Flags + phase, styleCtl
}

// findingLabels say a finding on its arrow, in a few words.
var findingLabels = map[string]string{
	"cleartext-password":      "clear-text password",
	"cleartext-despite-tls":   "clear text though the server offers TLS",
	"brute-force":             "brute force",
	"port-bounce":             "port bounce",
	"port-address-mismatch":   "PORT address differs (NAT?)",
	"pasv-address-mismatch":   "PASV address differs",
	"port-theft":              "port theft",
	"site-exec":               "SITE EXEC",
	"backdoor-trigger":        "backdoor trigger",
	"anonymous-login":         "anonymous login",
	"unencrypted-transfer":    "unencrypted transfer",
	"prot-mismatch":           "PROT mismatch",
	"truncated-capture":       "capture incomplete",
	"retransmission-conflict": "retransmission conflict",
	"limit-reached":           "limit reached",
}

// findingLabel is a finding's name on the diagram.
func findingLabel(kind string) string {
	if l, ok := findingLabels[kind]; ok {
		return tr(l)
	}
	return kind
}
