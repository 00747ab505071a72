package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"

	"github.com/ftptrace/ftptrace/analyzer"
)

// TableOptions shape the CSV and TSV tables.
type TableOptions struct {
	// Tab separates the fields with tabs (TSV) instead of commas (CSV).
	Tab bool
	// File adds each record's capture file: set when several are read.
	File bool
}

// tableSkip are the JSON fields a table leaves out: the record type (one
// per table), and lists and texts that do not fit a cell (a listing may
// run to 64 KiB, past what spreadsheets take in a cell; file operations
// are a list of their own). The JSON records have them.
var tableSkip = map[string]bool{"type": true, "listing": true, "file_ops": true}

// TableWriter writes the records of a table view as CSV or TSV, a row
// each under a header row, as sessions end: "sessions" the session
// records, "transfers" the transfer records, "creds" the credential
// records, with the JSON records' field names and values, nothing elided.
// Text from the capture has its control and bidirectional characters
// escaped (EscapeUnsafe), so a cell never holds a line break or a tab, and
// a spreadsheet or a terminal shows it as it is.
type TableWriter struct {
	view string
	json *JSONWriter // makes the records
	file bool
	tw   *tableWriter
}

// tableRecords are the record each table view writes a row of.
var tableRecords = map[string]any{"sessions": sessionRecord{}, "transfers": transferRecord{}, "creds": credentialRecord{}}

// NewTableWriter writes the header row of the view's table to w.
func NewTableWriter(w io.Writer, view string, opts TableOptions) (*TableWriter, error) {
	example, ok := tableRecords[view]
	if !ok {
		return nil, fmt.Errorf("the %s view has no table: use sessions, transfers or creds", view)
	}
	t := &TableWriter{view: view, json: &JSONWriter{opts: JSONOptions{File: opts.File}}, file: opts.File,
		tw: newTableWriter(w, opts.Tab)}
	t.tw.write(tableColumns(reflect.TypeOf(example), opts.File))
	return t, t.tw.err
}

// Session writes the rows of one session.
func (t *TableWriter) Session(s *analyzer.Session) error {
	switch t.view {
	case "sessions":
		t.row(t.json.sessionRec(s))
	case "transfers":
		for _, x := range s.Transfers {
			t.row(t.json.transferRec(s, x))
		}
	case "creds":
		for _, c := range s.Credentials {
			t.row(t.json.credentialRec(s, c))
		}
	}
	return t.tw.err
}

func (t *TableWriter) row(r any) { t.tw.write(tableCells(reflect.ValueOf(r), t.file)) }

// Close flushes the table.
func (t *TableWriter) Close() error { return t.tw.flush() }

// tableColumns are the JSON names of a record's scalar fields, in order,
// embedded structs flattened.
func tableColumns(t reflect.Type, file bool) []string {
	var out []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.Anonymous {
			out = append(out, tableColumns(f.Type, file)...)
			continue
		}
		if name, ok := tableField(f, file); ok {
			out = append(out, name)
		}
	}
	return out
}

func tableCells(v reflect.Value, file bool) []string {
	var out []string
	for i := 0; i < v.NumField(); i++ {
		f := v.Type().Field(i)
		if f.Anonymous {
			out = append(out, tableCells(v.Field(i), file)...)
			continue
		}
		if _, ok := tableField(f, file); ok {
			out = append(out, tableCell(v.Field(i)))
		}
	}
	return out
}

// tableField is the column name of a field, and whether it has one.
func tableField(f reflect.StructField, file bool) (string, bool) {
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	if name == "" || name == "-" || tableSkip[name] || (name == "file" && !file) {
		return "", false
	}
	switch f.Type.Kind() {
	case reflect.Slice, reflect.Map, reflect.Struct:
		return "", false
	}
	return name, true
}

func tableCell(v reflect.Value) string {
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return ""
		}
		v = v.Elem()
	}
	switch v.Kind() {
	case reflect.String:
		return EscapeUnsafe(v.String())
	case reflect.Bool:
		return strconv.FormatBool(v.Bool())
	case reflect.Int, reflect.Int64, reflect.Int32:
		return strconv.FormatInt(v.Int(), 10)
	case reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uint:
		return strconv.FormatUint(v.Uint(), 10)
	}
	return fmt.Sprint(v.Interface())
}

// tableWriter writes CSV (RFC 4180, through encoding/csv) or TSV (fields
// joined by tabs: EscapeUnsafe leaves no tab or line break in a cell).
type tableWriter struct {
	csv *csv.Writer
	w   io.Writer
	err error
}

func newTableWriter(w io.Writer, tab bool) *tableWriter {
	if tab {
		return &tableWriter{w: w}
	}
	return &tableWriter{csv: csv.NewWriter(w)}
}

func (t *tableWriter) write(cells []string) {
	if t.err != nil {
		return
	}
	if t.csv != nil {
		t.err = t.csv.Write(cells)
		return
	}
	_, t.err = io.WriteString(t.w, strings.Join(cells, "\t")+"\n")
}

func (t *tableWriter) flush() error {
	if t.csv != nil {
		t.csv.Flush()
		if t.err == nil {
			t.err = t.csv.Error()
		}
	}
	return t.err
}
