package diagnose

import (
	"path"
	"strings"

	"github.com/ftptrace/ftptrace/analyzer"
)

// binaryExtensions are file names no one transfers as text.
var binaryExtensions = map[string]bool{".bin": true, ".zip": true, ".gz": true, ".tgz": true, ".bz2": true, ".xz": true,
	".7z": true, ".rar": true, ".tar": true, ".jpg": true, ".jpeg": true, ".png": true, ".gif": true, ".pdf": true,
	".exe": true, ".dll": true, ".so": true, ".iso": true, ".img": true, ".mp3": true, ".mp4": true, ".avi": true,
	".mov": true, ".deb": true, ".rpm": true, ".msi": true, ".jar": true, ".class": true, ".doc": true, ".docx": true,
	".xls": true, ".xlsx": true, ".ppt": true, ".pptx": true, ".db": true, ".sqlite": true, ".dat": true, ".o": true}

// asciiOnBinary names files transferred in ASCII mode (TYPE A) whose size
// changed on the way: the server converted line ends (LF to CR LF), which
// corrupts any file that is not text.
func asciiOnBinary(r *reading) {
	for _, t := range r.s.Transfers {
		if !t.TypeA || t.Direction == "listing" || t.Data == nil || r.transferDone[t] {
			continue
		}
		changed := t.Announced >= 0 && t.Direction == "download" && t.Bytes != t.Announced-t.Rest && t.Bytes > 0
		// Binary by its name, or by its first bytes (the analyzer's media
		// type of them: a zip, an image, an executable, random bytes).
		binary := binaryExtensions[strings.ToLower(path.Ext(t.Path))] ||
			(t.Data.MIME != "" && !strings.HasPrefix(t.Data.MIME, "text/"))
		if !changed && !binary {
			continue
		}
		c := r.commandOf(t)
		d := Diagnosis{Cause: "ascii-on-binary", Severity: SeverityWarning,
			Fix: text("Switch to binary mode before the transfer (TYPE I: \"binary\" in ftp and tnftp; lftp and curl use it by default, curl's ;type=a or --use-ascii asks for ASCII); transfer again, as the copy made in ASCII mode is damaged.")}
		if typ := r.typeStep(t); typ > 0 {
			d.Evidence = append(d.Evidence, r.stepOf(typ, text("TYPE A: the client asks for ASCII mode, in which line ends are converted.")))
		}
		if c != nil {
			d.Evidence = append(d.Evidence, r.stepOf(r.commandStep(c), text("%s %s in ASCII mode.", t.Command, clip(t.Arg))))
		}
		if changed {
			d.Severity = SeverityError
			d.Evidence = append(d.Evidence, Evidence{Text: text("The %s announced %d bytes; %d bytes crossed the data connection.", t.AnnouncedBy, t.Announced-t.Rest, t.Bytes)})
			d.Title = text("%s was transferred in ASCII mode and changed size (%d bytes became %d)", t.Path, t.Announced-t.Rest, t.Bytes)
			d.Explain = text("In ASCII mode (TYPE A) the server turns every LF byte into CR LF on the wire, and the receiver may turn them back: harmless for text, but a binary file (%s) is corrupted, as its size shows.", path.Base(t.Path))
		} else {
			d.Title = text("%s, a binary file by its name, was transferred in ASCII mode", t.Path)
			d.Explain = text("In ASCII mode (TYPE A) line ends are converted on the way; a binary file such as %s is corrupted by it whenever it holds such bytes.", path.Base(t.Path))
		}
		for _, sz := range r.s.Commands {
			if sz.Verb == "SIZE" && sz.ReplyCode >= 500 && strings.Contains(strings.ToUpper(sz.ReplyText), "ASCII") {
				d.Evidence = append(d.Evidence, r.stepOf(r.replyStep(sz), text("The server refuses SIZE in ASCII mode (%d %s): the size of a file in ASCII mode is not known before it is sent.", sz.ReplyCode, firstLine(sz.ReplyText))))
				break
			}
		}
		r.transferDone[t] = true
		r.add(d)
	}
}

// typeStep is the step of the last TYPE A before a transfer, 0 for none.
func (r *reading) typeStep(t *analyzer.Transfer) int {
	n := 0
	for _, c := range r.s.Commands {
		if c.Time.After(t.Start) {
			break
		}
		if c.Verb == "TYPE" && strings.HasPrefix(strings.ToUpper(strings.TrimSpace(c.Arg)), "A") && c.ReplyCode/100 == 2 {
			n = r.commandStep(c)
		}
	}
	return n
}

// epsvFallback reads EPSV refused by the server (an old server, or a
// firewall's FTP proxy that does not know it): the client falling back to
// PASV is healthy (epsv-fallback); a client that never does cannot
// transfer anything (epsv-refused). PASV on an IPv6 session cannot work
// (pasv-on-ipv6): a 227 reply carries only an IPv4 address.
func epsvFallback(r *reading) {
	s := r.s
	v6 := s.Server.Addr().Is6() && !s.Server.Addr().Is4In6()
	for i, c := range s.Commands {
		switch {
		case c.Verb == "EPSV" && c.ReplyCode >= 500:
			var next *analyzer.Command
			for _, n := range s.Commands[i+1:] {
				if commandClass(n.Verb) == analyzer.ClassDataSetup {
					next = n
					break
				}
			}
			ev := []Evidence{r.stepOf(r.commandStep(c), text("The client asks EPSV (RFC 2428 passive mode).")),
				r.stepOf(r.replyStep(c), text("The server answers %d: %s.", c.ReplyCode, firstLine(c.ReplyText)))}
			if next != nil && next.Verb != "EPSV" && next.ReplyCode/100 == 2 {
				ev = append(ev, r.stepOf(r.commandStep(next), text("The client falls back to %s, answered %d.", next.Verb, next.ReplyCode)))
				r.add(Diagnosis{Cause: "epsv-fallback", Severity: SeverityInfo, Evidence: ev,
					Title:   text("the server does not know EPSV; the client fell back to %s, which worked", next.Verb),
					Explain: text("EPSV (RFC 2428) is refused by servers and firewall proxies that predate it (%d). The client then asked %s, as it should, and the data connection was set up: nothing failed, one round trip was lost each time.", c.ReplyCode, next.Verb),
					Fix:     text("Nothing is needed. To save the round trip, tell the client to start with PASV for this server (curl --disable-epsv, lftp set ftp:prefer-epsv no); updating the server or the firewall's FTP proxy brings EPSV, which NAT and IPv6 need.")})
			} else {
				r.add(Diagnosis{Cause: "epsv-refused", Severity: SeverityError, Evidence: ev,
					Title:   text("the server refused EPSV and the client never fell back to PASV"),
					Explain: text("EPSV (RFC 2428) is refused by servers and firewall proxies that predate it (%d). The client did not try PASV after it, so no data connection could be set up.", c.ReplyCode),
					Fix:     text("Let the client use PASV with this server (curl --disable-epsv, lftp set ftp:prefer-epsv no, ftp: epsv4 off), or active mode; or update the server or the firewall's FTP proxy.")})
			}
			return
		case c.Verb == "PASV" && v6:
			d := Diagnosis{Cause: "pasv-on-ipv6", Severity: SeverityWarning,
				Evidence: []Evidence{r.stepOf(r.commandStep(c), text("PASV on a control connection over IPv6 (%s).", s.Server.Addr().String()))},
				Title:    text("PASV was used on an IPv6 session"),
				Explain:  text("A 227 reply can only carry an IPv4 address (RFC 959), so PASV cannot describe a data connection over IPv6; servers refuse it or answer with an address of another family."),
				Fix:      text("Use EPSV on IPv6 (RFC 2428): every current client does when asked (ftp: epsv6 on, lftp set ftp:prefer-epsv yes).")}
			if n := r.replyStep(c); n > 0 {
				d.Evidence = append(d.Evidence, r.stepOf(n, text("The server answers %d: %s.", c.ReplyCode, firstLine(c.ReplyText))))
			}
			r.add(d)
			return
		}
	}
}
