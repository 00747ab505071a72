package analyzer

import "strings"

// CommandClass sorts FTP commands the way the walkthrough does: commands
// that travel alone on the control connection, and commands that need a
// data connection.
type CommandClass uint8

// Command classes.
const (
	ClassControl   CommandClass = iota // answered on the control connection only
	ClassTransfer                      // needs a data connection (LIST, RETR, ...)
	ClassDataSetup                     // negotiates the data connection (PORT, PASV, ...)
	ClassAccess                        // login and security (USER, PASS, AUTH, ...)
)

func (c CommandClass) String() string {
	return [...]string{"control", "transfer", "data-setup", "access"}[c]
}

// CommandInfo is what ftptrace knows about one FTP command.
type CommandInfo struct {
	Verb  string
	Class CommandClass
	// Direction of the data for transfer commands: "download", "upload" or
	// "listing".
	Direction string
	// Summary says what the command asks for, in a few words.
	Summary string
	// FTPOnly commands do not exist in SMTP, POP3 or IMAP: seeing one from a
	// client is enough to recognise FTP on an unusual port.
	FTPOnly bool
}

// commandTable is the protocol knowledge of RFC 959, 2228, 2389, 2428, 3659
// and 1639 kept as data: the parser, the explanations and the detection of
// FTP on other ports all read it.
var commandTable = map[string]CommandInfo{
	"USER": {Class: ClassAccess, Summary: "user name", FTPOnly: true},
	"PASS": {Class: ClassAccess, Summary: "password", FTPOnly: true},
	"ACCT": {Class: ClassAccess, Summary: "account", FTPOnly: true},
	"AUTH": {Class: ClassAccess, Summary: "security mechanism (TLS, or GSSAPI and others of RFC 2228)", FTPOnly: false},
	"ADAT": {Class: ClassAccess, Summary: "security data for the AUTH mechanism (base64)", FTPOnly: true},
	"MIC":  {Class: ClassAccess, Summary: "a command protected for integrity (RFC 2228)", FTPOnly: true},
	"CONF": {Class: ClassAccess, Summary: "a command protected for confidentiality (RFC 2228)", FTPOnly: true},
	"ENC":  {Class: ClassAccess, Summary: "a command protected for integrity and confidentiality (RFC 2228)", FTPOnly: true},
	"PBSZ": {Class: ClassAccess, Summary: "protection buffer size", FTPOnly: true},
	"PROT": {Class: ClassAccess, Summary: "data channel protection level", FTPOnly: true},
	"CCC":  {Class: ClassAccess, Summary: "clear the command channel (back to plain text)", FTPOnly: true},
	"REIN": {Class: ClassAccess, Summary: "reinitialise the session", FTPOnly: true},
	"PORT": {Class: ClassDataSetup, Summary: "active mode: the server shall connect to this address", FTPOnly: true},
	"EPRT": {Class: ClassDataSetup, Summary: "extended active mode (IPv4 or IPv6)", FTPOnly: true},
	"LPRT": {Class: ClassDataSetup, Summary: "long active mode", FTPOnly: true},
	"PASV": {Class: ClassDataSetup, Summary: "passive mode: the server shall listen", FTPOnly: true},
	"EPSV": {Class: ClassDataSetup, Summary: "extended passive mode", FTPOnly: true},
	"LPSV": {Class: ClassDataSetup, Summary: "long passive mode", FTPOnly: true},
	"LIST": {Class: ClassTransfer, Direction: "listing", Summary: "directory listing", FTPOnly: true},
	"NLST": {Class: ClassTransfer, Direction: "listing", Summary: "list of file names", FTPOnly: true},
	"MLSD": {Class: ClassTransfer, Direction: "listing", Summary: "machine-readable listing", FTPOnly: true},
	"RETR": {Class: ClassTransfer, Direction: "download", Summary: "download a file", FTPOnly: true},
	"STOR": {Class: ClassTransfer, Direction: "upload", Summary: "upload a file", FTPOnly: true},
	"STOU": {Class: ClassTransfer, Direction: "upload", Summary: "upload under a unique name", FTPOnly: true},
	"APPE": {Class: ClassTransfer, Direction: "upload", Summary: "append to a file", FTPOnly: true},
	"CWD":  {Class: ClassControl, Summary: "change directory", FTPOnly: true},
	"XCWD": {Class: ClassControl, Summary: "change directory", FTPOnly: true},
	"CDUP": {Class: ClassControl, Summary: "go to the parent directory", FTPOnly: true},
	"XCUP": {Class: ClassControl, Summary: "go to the parent directory", FTPOnly: true},
	"PWD":  {Class: ClassControl, Summary: "print working directory", FTPOnly: true},
	"XPWD": {Class: ClassControl, Summary: "print working directory", FTPOnly: true},
	"MKD":  {Class: ClassControl, Summary: "make a directory", FTPOnly: true},
	"XMKD": {Class: ClassControl, Summary: "make a directory", FTPOnly: true},
	"RMD":  {Class: ClassControl, Summary: "remove a directory", FTPOnly: true},
	"XRMD": {Class: ClassControl, Summary: "remove a directory", FTPOnly: true},
	"DELE": {Class: ClassControl, Summary: "delete a file", FTPOnly: true},
	"RNFR": {Class: ClassControl, Summary: "rename from", FTPOnly: true},
	"RNTO": {Class: ClassControl, Summary: "rename to", FTPOnly: true},
	"SIZE": {Class: ClassControl, Summary: "file size", FTPOnly: true},
	"MDTM": {Class: ClassControl, Summary: "modification time", FTPOnly: true},
	"MLST": {Class: ClassControl, Summary: "facts about one file", FTPOnly: true},
	"TYPE": {Class: ClassControl, Summary: "representation type (A = text, I = binary)", FTPOnly: true},
	"MODE": {Class: ClassControl, Summary: "transfer mode", FTPOnly: true},
	"STRU": {Class: ClassControl, Summary: "file structure", FTPOnly: true},
	"REST": {Class: ClassControl, Summary: "restart the next transfer at an offset", FTPOnly: true},
	"ABOR": {Class: ClassControl, Summary: "abort the transfer in progress", FTPOnly: true},
	"ALLO": {Class: ClassControl, Summary: "allocate storage", FTPOnly: true},
	"SYST": {Class: ClassControl, Summary: "server system type", FTPOnly: true},
	"FEAT": {Class: ClassControl, Summary: "list server features", FTPOnly: true},
	"OPTS": {Class: ClassControl, Summary: "set an option", FTPOnly: true},
	"CLNT": {Class: ClassControl, Summary: "client software name", FTPOnly: true},
	"HOST": {Class: ClassControl, Summary: "virtual host name", FTPOnly: true},
	"LANG": {Class: ClassControl, Summary: "language", FTPOnly: true},
	"SITE": {Class: ClassControl, Summary: "site-specific command", FTPOnly: true},
	"STAT": {Class: ClassControl, Summary: "status", FTPOnly: true},
	"SMNT": {Class: ClassControl, Summary: "mount a file system", FTPOnly: true},
	"HELP": {Class: ClassControl, Summary: "help"},
	"NOOP": {Class: ClassControl, Summary: "keep-alive"},
	"QUIT": {Class: ClassControl, Summary: "log out and close"},
}

func init() {
	for verb, info := range commandTable {
		info.Verb = verb
		commandTable[verb] = info
	}
}

// LookupCommand returns what ftptrace knows about a command verb (any case).
func LookupCommand(verb string) (CommandInfo, bool) {
	info, ok := commandTable[strings.ToUpper(verb)]
	return info, ok
}

// successReplies lists the 1xx-3xx codes that can answer each command
// (RFC 959 section 5.4, RFC 2228, 2389, 2428, 3659); 4xx and 5xx can answer
// any. The analyzer uses it to find its place again when the capture lost
// a reply, as Zeek's utils-commands.zeek does.
var successReplies = map[string][]int{
	"USER": {230, 232, 331, 332}, "PASS": {202, 230, 232, 332}, "ACCT": {202, 230},
	"CWD": {200, 250}, "CDUP": {200, 250}, "XCWD": {250}, "XCUP": {200, 250},
	"PWD": {257}, "XPWD": {257}, "MKD": {257, 250}, "XMKD": {257},
	"PASV": {227}, "EPSV": {229, 200}, "LPSV": {228},
	"PORT": {200}, "EPRT": {200}, "LPRT": {200}, "TYPE": {200}, "MODE": {200}, "STRU": {200},
	"SIZE": {213}, "MDTM": {213}, "SYST": {215}, "FEAT": {211}, "HELP": {211, 214},
	"RETR": {110, 125, 150, 226, 250}, "STOR": {110, 125, 150, 226, 250}, "APPE": {110, 125, 150, 226, 250},
	"STOU": {110, 125, 150, 226, 250}, "LIST": {125, 150, 226, 250}, "NLST": {125, 150, 226, 250},
	"MLSD": {125, 150, 226, 250}, "MLST": {250}, "DELE": {250}, "RMD": {250}, "XRMD": {250},
	"RNFR": {350}, "RNTO": {250}, "REST": {350}, "QUIT": {221}, "NOOP": {200},
	"AUTH": {234, 334}, "ADAT": {235, 335}, "PBSZ": {200}, "PROT": {200}, "CCC": {200}, "ABOR": {225, 226},
	"MIC": {631, 632, 633}, "CONF": {631, 632, 633}, "ENC": {631, 632, 633},
}

// ReplyMeaning gives the RFC 959 meaning of a reply code in a few words, or
// of its first digit when the code itself is not listed.
func ReplyMeaning(code int) string {
	if m, ok := replyTable[code]; ok {
		return m
	}
	switch code / 100 {
	case 1:
		return "preliminary reply: more will follow"
	case 2:
		return "success"
	case 3:
		return "accepted, more information needed"
	case 4:
		return "temporary failure"
	case 5:
		return "permanent failure"
	case 6:
		return "protected reply (RFC 2228)"
	}
	return "not a valid FTP reply code"
}

var replyTable = map[int]string{
	110: "restart marker",
	120: "service ready in a few minutes",
	125: "data connection already open, transfer starting",
	150: "file status okay, opening the data connection",
	200: "command okay",
	202: "command not needed here",
	211: "system status",
	212: "directory status",
	213: "file status",
	214: "help message",
	215: "system type",
	220: "service ready for a new user",
	221: "closing the control connection",
	225: "data connection open, no transfer in progress",
	226: "transfer complete, closing the data connection",
	227: "entering passive mode",
	228: "entering long passive mode",
	229: "entering extended passive mode",
	230: "user logged in",
	232: "user logged in, authorised by security data",
	234: "security mechanism accepted: TLS follows",
	235: "security data exchange complete",
	250: "file action okay, completed",
	257: "path name created or reported",
	331: "user name okay, password needed",
	332: "account needed for login",
	334: "security mechanism accepted, security data needed",
	335: "security data accepted, more needed",
	336: "user name okay, password needed; the challenge follows",
	350: "pending further information",
	421: "service not available, closing the control connection",
	425: "cannot open the data connection",
	426: "connection closed, transfer aborted",
	430: "invalid user name or password",
	431: "the security mechanism needs a resource it does not have",
	450: "file unavailable (busy)",
	451: "local error in processing",
	452: "insufficient storage",
	500: "syntax error, command unrecognised",
	501: "syntax error in arguments",
	502: "command not implemented",
	503: "bad sequence of commands",
	504: "command not implemented for that parameter",
	530: "not logged in",
	532: "account needed for storing files",
	533: "command protection level denied for policy reasons",
	534: "request denied for policy reasons",
	535: "failed security check",
	536: "data protection level not supported by the security mechanism",
	537: "command protection level not supported by the security mechanism",
	550: "file unavailable (not found, no access)",
	551: "page type unknown",
	552: "exceeded storage allocation",
	553: "file name not allowed",
	631: "integrity-protected reply (RFC 2228)",
	632: "confidentiality- and integrity-protected reply (RFC 2228)",
	633: "confidentiality-protected reply (RFC 2228)",
}
