package report

import (
	"github.com/ftptrace/ftptrace/analyzer"
)

// recognisedBy says how a session was recognised, in the current language.
func recognisedBy(s *analyzer.Session) string {
	switch s.Orphan {
	case "":
		return detectedWords(s.Detected)
	case "port 20":
		return tr("its port 20, the textbook FTP data port, and data sent one way")
	case "a directory listing":
		return tr("its content: a directory listing, sent one way")
	}
	return tr("its content: %s from the first byte, sent one way", tr(s.Orphan))
}

// orphanConclusions close the timeline of a data connection whose control
// connection is not in the capture: what made it one, which side is taken
// for the server, how it opened and closed.
func orphanConclusions(s *analyzer.Session) []string {
	because := tr("it came from port 20, the textbook FTP data port")
	if s.Orphan != "port 20" {
		because = tr("it carried %s from its first byte", tr(s.Orphan))
	}
	out := []string{tr("No control connection of this data connection is in the capture: ftptrace took it for an FTP data connection because %s, and only one side sent bytes, as a data connection in stream mode carries one file one way (RFC 959, section 3.4.1). The command that asked for it is unknown.", because)}
	if s.Server.Port() == 20 {
		out = append(out, tr("The FTP server is taken to be the side that sent from port 20 (active mode)."))
	} else {
		out = append(out, tr("The FTP server is taken to be the side that accepted the connection, as in passive mode."))
	}
	return append(out, dataShapes(s))
}

// dataShapes says how the data connections opened and closed, where they
// depart from the three-packet opening and four-packet closing.
func dataShapes(s *analyzer.Session) string {
	var odd []string
	for _, dc := range s.DataConns {
		odd = append(odd, dataConnShape(dc)...)
	}
	if len(odd) == 0 {
		return tr("The data connection opened with a three-way handshake and closed with a four-packet teardown, as TCP prescribes.")
	}
	return tr("Departures from the three-packet opening and four-packet closing: %s.", joinWords(odd))
}
