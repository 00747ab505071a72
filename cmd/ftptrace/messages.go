package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/ftptrace/ftptrace/reassembly"
	"github.com/ftptrace/ftptrace/report"
)

// note is a warning or an error for the user: a template and its values,
// said in the user's language on stderr and in the text views (--lang),
// in English in the JSON. A raw note is a message made elsewhere, shown
// as it is.
type note struct {
	format string
	args   []any
	raw    bool
}

func notef(format string, args ...any) note { return note{format: format, args: args} }

// rawNote is a message ftptrace cannot translate, or an error's, which
// says what it can in words of its own.
func rawNote(err error) note {
	var de *reassembly.DamageError
	if errors.As(err, &de) {
		return damageNote(de)
	}
	var ce *cliError
	if errors.As(err, &ce) {
		return ce.note
	}
	return note{format: err.Error(), raw: true}
}

func rawText(s string) note { return note{format: s, raw: true} }

// String is the note in English.
func (n note) String() string {
	if n.raw || len(n.args) == 0 {
		return n.format
	}
	return fmt.Sprintf(n.format, n.args...)
}

// Text is the note in the language chosen.
func (n note) Text() string {
	if n.raw {
		return n.format
	}
	return report.Tr(n.format, n.args...)
}

func noteStrings(notes []note, text bool) []string {
	out := make([]string, len(notes))
	for i, n := range notes {
		if text {
			out[i] = n.Text()
		} else {
			out[i] = n.String()
		}
	}
	return out
}

// damageNote says where a capture stopped being readable.
func damageNote(e *reassembly.DamageError) note {
	what, why := "damaged", note{format: e.Err.Error(), raw: true}
	if errors.Is(e.Err, errInterrupted) {
		return notef("capture %s was interrupted at packet %d", e.Name, e.Record)
	}
	if errors.Is(e.Err, io.ErrUnexpectedEOF) {
		what, why = "cut short", notef("the file ends inside this record (or the record's length field is corrupt)")
	}
	where := "byte offset"
	if e.Compressed {
		where = "offset (decompressed)"
	}
	return notef("capture %s is %s at packet %d, %s %d: %s; results cover the packets before it",
		e.Name, report.Tr(what), e.Record, report.Tr(where), e.Offset, why.Text())
}

// cliError is an error of the command line, said in the user's language.
type cliError struct{ note note }

func (e *cliError) Error() string { return e.note.String() }

// errorf makes an error to show in the user's language.
func errorf(format string, args ...any) error { return &cliError{notef(format, args...)} }

// message is an error as the user reads it.
func message(err error) string { return rawNote(err).Text() }
