package report

// Colours of the text views, on a terminal only (Style.Color): the
// findings by severity, clear-text passwords, failed transfers, the step
// numbers of the timeline. ANSI SGR sequences, which every terminal
// emulator in use reads; nothing else of the terminal is needed.
const (
	colorCritical = "\x1b[1;31m" // bold red
	colorWarning  = "\x1b[33m"   // yellow
	colorBad      = "\x1b[31m"   // red: a clear-text password, a failed transfer
	colorGood     = "\x1b[32m"   // green: accepted, complete
	colorStep     = "\x1b[1;36m" // bold cyan: step numbers
	colorReset    = "\x1b[0m"
)

// paint wraps text in a colour when the style has colour.
func paint(st Style, color, text string) string {
	if !st.Color || color == "" || text == "" {
		return text
	}
	return color + text + colorReset
}

// severityColor is the colour of a finding's severity.
func severityColor(sev string) string {
	switch sev {
	case "critical":
		return colorCritical
	case "warning":
		return colorWarning
	}
	return ""
}
