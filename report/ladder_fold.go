package report

import (
	"fmt"
	"strings"

	"github.com/ftptrace/ftptrace/analyzer"
)

// minFoldRepeats is how many times an exchange must repeat in a row before
// the diagram folds the repeats after the first into one row.
const minFoldRepeats = 3

// fold is a run of repeated exchanges drawn as one row.
type fold struct {
	start, end int    // step indices folded: the repeats after the first
	what       string // "CWD / 250"
	times      int    // how many repeats the row stands for
}

// exchange is a command with the control-connection replies and plain
// ACKs that follow it. sig names it for comparison ("CWD / 250"); other
// steps are exchanges of their own with an empty sig and never fold.
type exchange struct {
	start, end int
	sig        string
}

func exchanges(steps []analyzer.Step) []exchange {
	var out []exchange
	for i := 0; i < len(steps); {
		j, sig := i+1, ""
		if st := &steps[i]; st.Kind == analyzer.KindCommand && st.Conn == analyzer.RoleControl {
			sig = Clean(st.Command)
			for ; j < len(steps) && steps[j].Conn == analyzer.RoleControl; j++ {
				next := &steps[j]
				if next.Kind == analyzer.KindReply {
					sig += fmt.Sprintf(" / %d", next.Code)
				} else if next.Kind != analyzer.KindACK || next.Phase != "" {
					break
				}
			}
		}
		out = append(out, exchange{start: i, end: j, sig: sig})
		i = j
	}
	return out
}

// findFolds finds runs where a block of one to three exchanges (CWD/250;
// USER/331, PASS/530 in a brute force) repeats at least minFoldRepeats
// times, keyed by the first step index the fold replaces.
func findFolds(steps []analyzer.Step) map[int]fold {
	ex := exchanges(steps)
	folds := map[int]fold{}
	for i := 0; i < len(ex); {
		bestP, bestK := 0, 0
		for p := 1; p <= 3 && i+p <= len(ex) && ex[i+p-1].sig != ""; p++ {
			k := 1
			for i+(k+1)*p <= len(ex) && sameBlock(ex, i, i+k*p, p) {
				k++
			}
			if k >= minFoldRepeats && k*p > bestK*bestP {
				bestP, bestK = p, k
			}
		}
		if bestK == 0 {
			i++
			continue
		}
		sigs := make([]string, bestP)
		for q := range sigs {
			sigs[q] = ex[i+q].sig
		}
		first, last := ex[i+bestP], ex[i+bestK*bestP-1]
		folds[first.start] = fold{start: first.start, end: last.end, what: strings.Join(sigs, ", "), times: bestK - 1}
		i += bestK * bestP
	}
	return folds
}

func sameBlock(ex []exchange, a, b, p int) bool {
	for q := 0; q < p; q++ {
		if ex[a+q].sig != ex[b+q].sig {
			return false
		}
	}
	return true
}
