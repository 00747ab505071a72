package analyzer

// Changes to the server's file system asked on the control connection.

import (
	"strings"
)

// fileOp records changes to the server's file system with their outcome.
func (a *Analyzer) fileOp(s *Session, cmd *Command, code int) {
	c := s.ctl
	// op is made on the stack, and copied to the heap only when kept:
	// every reply to every command passes here.
	op := FileOp{Time: cmd.Time, Code: code, OK: code/100 == 2, Step: cmd.Step}
	switch cmd.Verb {
	case "DELE":
		op.Op, op.Path = "delete", s.resolve(cmd.Arg)
	case "MKD", "XMKD":
		op.Op, op.Path = "mkdir", s.resolve(cmd.Arg)
	case "RMD", "XRMD":
		op.Op, op.Path = "rmdir", s.resolve(cmd.Arg)
	case "RNFR":
		if code == 350 {
			c.renameFrom = s.resolve(cmd.Arg)
		}
		return
	case "RNTO":
		op.Op, op.Path, op.Target = "rename", c.renameFrom, s.resolve(cmd.Arg)
		c.renameFrom = ""
	case "SITE":
		f := strings.Fields(cmd.Arg)
		if len(f) < 3 || !strings.EqualFold(f[0], "CHMOD") {
			return
		}
		op.Op, op.Target = "chmod", f[1]
		op.Path = s.resolve(strings.TrimSpace(cmd.Arg[strings.Index(cmd.Arg, f[1])+len(f[1]):]))
	default:
		return
	}
	if len(s.FileOps) < maxFileOps {
		kept := new(FileOp)
		*kept = op
		s.FileOps = append(s.FileOps, kept)
	}
}

// maxFileOps bounds the file-system operations kept per session.
const maxFileOps = 10000
