package report

import (
	"fmt"
	"strings"
)

// SchemaVersion is the version of the JSON Lines contract (docs/JSON.md,
// schema/ftptrace.schema.json), written in the summary record. It changes
// when a field is renamed, removed or changes meaning; adding a field does
// not change it.
const SchemaVersion = 1

// Records is a set of JSON record types.
type Records uint16

// The record types, in the order a session's records are written.
const (
	RecordSession Records = 1 << iota
	RecordStep
	RecordCommand
	RecordTransfer
	RecordCredential
	RecordFinding
	RecordDiagnosis
	RecordSummary
	// RecordLatency is written by the latency view (or --records latency),
	// not by plain --json: its figures are in the command records already.
	RecordLatency

	// AllRecords is the whole stream, what plain --json writes.
	AllRecords = RecordSession | RecordStep | RecordCommand | RecordTransfer | RecordCredential | RecordFinding | RecordDiagnosis | RecordSummary
)

// recordNames are the types' names in the records' "type" field and in
// --records.
var recordNames = []struct {
	name string
	r    Records
}{
	{"session", RecordSession}, {"step", RecordStep}, {"command", RecordCommand}, {"transfer", RecordTransfer},
	{"credential", RecordCredential}, {"finding", RecordFinding}, {"diagnosis", RecordDiagnosis}, {"summary", RecordSummary},
	{"latency", RecordLatency},
}

// RecordTypes lists the names of the record types.
func RecordTypes() []string {
	names := make([]string, len(recordNames))
	for i, n := range recordNames {
		names[i] = n.name
	}
	return names
}

// ParseRecords reads a comma-separated list of record types
// ("session,credential").
func ParseRecords(list string) (Records, error) {
	var r Records
	for _, name := range strings.Split(list, ",") {
		name = strings.TrimSpace(name)
		found := false
		for _, n := range recordNames {
			if name == n.name || name == n.name+"s" {
				r, found = r|n.r, true
			}
		}
		if !found {
			return 0, fmt.Errorf("%q is no record type: use %s", name, strings.Join(RecordTypes(), ", "))
		}
	}
	return r, nil
}

// Has tells whether the set holds every type of x.
func (r Records) Has(x Records) bool { return r&x == x }

// String is the set as --records takes it.
func (r Records) String() string {
	var names []string
	for _, n := range recordNames {
		if r.Has(n.r) {
			names = append(names, n.name)
		}
	}
	return strings.Join(names, ",")
}
