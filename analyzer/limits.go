package analyzer

// Limits bound what one session keeps, so a hostile or endless session
// cannot exhaust memory. What goes beyond is counted and reported as a
// finding, never dropped silently.
type Limits struct {
	Steps       int // timeline steps per session
	Commands    int // command/reply pairs per session
	Transfers   int // transfers per session
	Credentials int // login attempts per session
	// Sessions bounds the sessions open at once, all of them together:
	// beyond, the one quiet the longest among the oldest is ended early
	// (openSessions.quietest).
	Sessions int
}

// DefaultLimits keep a session under a few tens of MiB.
var DefaultLimits = Limits{Steps: 50000, Commands: 20000, Transfers: 10000, Credentials: 10000, Sessions: 10000}

func (l *Limits) steps() int {
	if l == nil || l.Steps <= 0 {
		return DefaultLimits.Steps
	}
	return l.Steps
}

func (l *Limits) commands() int {
	if l == nil || l.Commands <= 0 {
		return DefaultLimits.Commands
	}
	return l.Commands
}

func (l *Limits) transfers() int {
	if l == nil || l.Transfers <= 0 {
		return DefaultLimits.Transfers
	}
	return l.Transfers
}

func (l *Limits) credentials() int {
	if l == nil || l.Credentials <= 0 {
		return DefaultLimits.Credentials
	}
	return l.Credentials
}

func (l *Limits) sessions() int {
	if l == nil || l.Sessions <= 0 {
		return DefaultLimits.Sessions
	}
	return l.Sessions
}

// limitFindings reports what the limits cut.
func (s *Session) limitFindings() {
	if s.DroppedSteps > 0 {
		s.addFinding(SeverityWarning, "limit-reached", -1,
			"the session has more steps than the %d kept: %d later steps are counted, not shown (raise --max-steps)", s.limits.steps(), s.DroppedSteps)
	}
	if s.DroppedCommands > 0 {
		s.addFinding(SeverityWarning, "limit-reached", -1,
			"the session sent more commands than the %d kept: %d more were seen (their effects on transfers and logins still count)", s.limits.commands(), s.DroppedCommands)
	}
	if s.forgottenExpects > 0 {
		msg := "%d data connections the session announced were forgotten unused to make room: more than %d announcements waited at once in the capture, or %d for one port"
		if s.forgottenExpects == 1 {
			msg = "%d data connection the session announced was forgotten unused to make room: more than %d announcements waited at once in the capture, or %d for one port"
		}
		s.addFinding(SeverityWarning, "limit-reached", -1, msg, s.forgottenExpects, maxWaiting, maxWaitingPerPort)
	}
	if s.evicted {
		s.addFinding(SeverityWarning, "limit-reached", -1,
			"the session was ended early to make room: more than %d sessions were open at once, and among the oldest it had been quiet the longest; its later packets are not analysed", s.limits.sessions())
	}
}
