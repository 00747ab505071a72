package analyzer

import (
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/ftptrace/ftptrace/reassembly"
)

// TestReleaseKeepsWhatTheTablesRead releases every session of the
// project's captures as the table views do (OnSession, once finished) and
// checks that what the tables read is unchanged while the rest is let go.
func TestReleaseKeepsWhatTheTablesRead(t *testing.T) {
	paths, _ := filepath.Glob(filepath.Join("..", "testdata", "pcaps", "*.pcap"))
	released, commands := 0, 0
	for _, path := range paths {
		src, err := reassembly.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		opts := Options{OnSession: func(s *Session) {
			n, transfers, creds, findings := len(s.Commands), len(s.Transfers), len(s.Credentials), len(s.Findings)
			bytes := make([]int64, transfers)
			for i, tr := range s.Transfers {
				bytes[i] = tr.Bytes
			}
			s.Release()
			if s.NumCommands() != n || len(s.Transfers) != transfers || len(s.Credentials) != creds || len(s.Findings) != findings {
				t.Errorf("%s session %d: %d commands, %d transfers, %d credentials, %d findings after Release; %d, %d, %d, %d before",
					path, s.ID, s.NumCommands(), len(s.Transfers), len(s.Credentials), len(s.Findings), n, transfers, creds, findings)
			}
			for i, tr := range s.Transfers {
				if tr.Bytes != bytes[i] || tr.Listing != "" {
					t.Errorf("%s session %d transfer %d: %d bytes, listing %q after Release", path, s.ID, tr.ID, tr.Bytes, tr.Listing)
				}
			}
			if s.Commands != nil || s.Steps != nil || s.DataConns != nil || s.ctl != nil || s.scratch != nil {
				t.Errorf("%s session %d: still holds commands, steps, data connections or the control state", path, s.ID)
			}
			released++
			commands += n
		}}
		if _, _, err := Run(src, opts); err != nil {
			t.Logf("%s: %v", path, err)
		}
		src.Close()
	}
	if released < 30 || commands < 200 {
		t.Fatalf("only %d sessions and %d commands released: the captures were not read", released, commands)
	}

	// Before the session is finished, Release changes nothing.
	s := &Session{Commands: []*Command{{Verb: "USER"}}, Steps: []Step{{N: 1}}}
	s.Release()
	if len(s.Commands) != 1 || len(s.Steps) != 1 || s.NumCommands() != 1 {
		t.Error("Release let go of an unfinished session")
	}
}

// TestRecycledStepsChangeNothing analyses the project's captures twice:
// once keeping every session, once releasing each as soon as it is handed
// on, so that the step arrays of sessions let go are reused by the
// sessions still to come. The steps must be the same.
func TestRecycledStepsChangeNothing(t *testing.T) {
	paths, _ := filepath.Glob(filepath.Join("..", "testdata", "pcaps", "*.pcap"))
	steps := func(path string, release bool) map[int][]Step {
		src, err := reassembly.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer src.Close()
		got := map[int][]Step{}
		opts := Options{OnSession: func(s *Session) {
			got[s.ID] = slices.Clone(s.Steps)
			if release {
				s.Release()
			}
		}}
		sessions, _, err := Run(src, opts)
		if err != nil {
			t.Logf("%s: %v", path, err)
		}
		for _, s := range sessions {
			got[s.ID] = slices.Clone(s.Steps)
		}
		return got
	}
	compared := 0
	for _, path := range paths {
		kept, recycled := steps(path, false), steps(path, true)
		for id, want := range kept {
			if !reflect.DeepEqual(recycled[id], want) {
				t.Errorf("%s session %d: the steps differ when the arrays of released sessions are reused", path, id)
			}
			compared += len(want)
		}
	}
	if compared < 500 {
		t.Fatalf("only %d steps compared: the captures were not read", compared)
	}
}

func TestRecycledStepArraysAreEmpty(t *testing.T) {
	recycleSteps(append(make([]Step, 0, minSteps), Step{N: 1, Command: "PASS", Arg: "secret"}, Step{N: 2}))
	got := newSteps(minSteps)
	if len(got) != 0 {
		t.Fatalf("a step array from the pool holds %d steps", len(got))
	}
	for i, st := range got[:cap(got)] {
		if !reflect.DeepEqual(st, Step{}) {
			t.Errorf("element %d of a recycled array still holds %+v", i, st)
		}
	}
}
