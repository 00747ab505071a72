// Package schema holds the JSON Schema of ftptrace's JSON Lines
// (ftptrace.schema.json: every record type and field, with what each
// means) and checks output against it. The tests of the packages that
// write JSON check what they write with it, so the schema and the output
// cannot drift apart; docs/JSON.md's field tables are made from it.
package schema

import (
	"bufio"
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// JSON is the schema itself.
//
//go:embed ftptrace.schema.json
var JSON []byte

// ID is the schema's $id.
const ID = "https://github.com/ftptrace/ftptrace/schema/ftptrace.schema.json"

var compiled = sync.OnceValues(func() (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(JSON))
	if err != nil {
		return nil, fmt.Errorf("ftptrace.schema.json: %w", err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat() // "date-time" is checked too, not only described
	if err := c.AddResource(ID, doc); err != nil {
		return nil, err
	}
	return c.Compile(ID)
})

// Check validates one record: one line of the output, without its newline.
func Check(record []byte) error {
	s, err := compiled()
	if err != nil {
		return err
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(record))
	if err != nil {
		return fmt.Errorf("not JSON: %w", err)
	}
	return s.Validate(v)
}

// maxErrors bounds the lines CheckLines reports.
const maxErrors = 5

// CheckLines validates every line of a JSON Lines stream and tells how many
// records it read. The error names each bad line (the first few) with its
// number and what is wrong.
func CheckLines(r io.Reader) (int, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<28)
	var errs []error
	n := 0
	for sc.Scan() {
		n++
		if err := Check(sc.Bytes()); err != nil && len(errs) < maxErrors {
			errs = append(errs, fmt.Errorf("line %d: %.200s\n%w", n, sc.Bytes(), err))
		}
	}
	if err := sc.Err(); err != nil {
		errs = append(errs, err)
	}
	return n, errors.Join(errs...)
}
