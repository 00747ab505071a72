package analyzer_test

import (
	"fmt"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/ftptrace/ftptrace/analyzer"
	"github.com/ftptrace/ftptrace/reassembly"
)

// runWith runs a capture through reassembly and the analyzer with opts.
func runWith(t *testing.T, path string, opts analyzer.Options) []*analyzer.Session {
	t.Helper()
	src, err := reassembly.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	sessions, _, err := analyzer.Run(src, opts)
	if err != nil {
		t.Fatal(err)
	}
	return sessions
}

// allCaptures are the captures of the project and the public ones beside
// it (when they are there).
func allCaptures() []string {
	var paths []string
	for _, dir := range []string{filepath.Join("..", "testdata", "pcaps"), filepath.Join("..", "..", "shared", "pcaps")} {
		m, _ := filepath.Glob(filepath.Join(dir, "*.pcap*"))
		paths = append(paths, m...)
	}
	return paths
}

// TestNoFindingDetail: without their details, the findings are the same,
// and their template and arguments make the detail they would have had.
func TestNoFindingDetail(t *testing.T) {
	compared := 0
	for _, path := range allCaptures() {
		full := runWith(t, path, analyzer.Options{NoHash: true})
		bare := runWith(t, path, analyzer.Options{NoHash: true, NoFindingDetail: true})
		for i, s := range bare {
			for k := range s.Findings {
				f, want := s.Findings[k], full[i].Findings[k]
				if f.Detail != "" || fmt.Sprintf(f.Template, f.Args...) != want.Detail {
					t.Errorf("%s session %d: finding %q without its detail says %q", path, s.ID, want.Detail, fmt.Sprintf(f.Template, f.Args...))
				}
				f.Detail = want.Detail
				if !reflect.DeepEqual(f, want) {
					t.Errorf("%s session %d: finding %+v, %+v with its detail", path, s.ID, f, want)
				}
				compared++
			}
		}
	}
	if compared == 0 {
		t.Fatal("no finding compared")
	}
}

// TestFindingStepsOnly: a session that keeps only the steps its findings
// are made from keeps each of them as the whole timeline has it, number
// included, even where steps come out of frame order, and its commands,
// logins, file operations and findings point at the same step numbers, on
// every capture of the project and the public ones beside it (steps made
// out of frame order: TestFewStepsNumberedByFrame).
func TestFindingStepsOnly(t *testing.T) {
	paths := allCaptures()
	kept, all := 0, 0
	for _, path := range paths {
		full := runWith(t, path, analyzer.Options{NoHash: true})
		few := runWith(t, path, analyzer.Options{NoHash: true, FindingStepsOnly: true})
		if len(few) != len(full) {
			t.Fatalf("%s: %d sessions, %d with every step", path, len(few), len(full))
		}
		for i, s := range few {
			want := full[i]
			all += len(want.Steps)
			kept += len(s.Steps)
			for j := range want.Steps {
				if want.Steps[j].N != j+1 || (j > 0 && want.Steps[j].Frame < want.Steps[j-1].Frame) {
					t.Fatalf("%s session %d: step %d numbered %d", path, want.ID, j+1, want.Steps[j].N)
				}
			}
			for j := range s.Steps {
				st := &s.Steps[j]
				if st.N < 1 || st.N > len(want.Steps) || !reflect.DeepEqual(*st, want.Steps[st.N-1]) {
					t.Errorf("%s session %d: kept step %d is not the timeline's:\n%+v\n%+v", path, s.ID, st.N, *st, want.Steps[max(0, min(st.N, len(want.Steps))-1)])
				}
			}
			if !reflect.DeepEqual(s.Findings, want.Findings) || !reflect.DeepEqual(s.Credentials, want.Credentials) ||
				!reflect.DeepEqual(s.FileOps, want.FileOps) || s.Start != want.Start || s.End != want.End || s.DroppedSteps != want.DroppedSteps {
				t.Errorf("%s session %d: findings, logins, file operations or times differ", path, s.ID)
			}
			for k, c := range s.Commands {
				if c.Step != want.Commands[k].Step {
					t.Errorf("%s session %d: command %d at step %d, not %d", path, s.ID, k, c.Step, want.Commands[k].Step)
				}
			}
		}
	}
	if kept == 0 || kept >= all {
		t.Fatalf("%d steps kept of %d: nothing compared, or nothing left out", kept, all)
	}
	t.Logf("%d steps kept of %d", kept, all)
}
