package analyzer

import (
	"reflect"
	"testing"
	"time"
)

// TestFewStepsNumberedByFrame: steps made out of frame order (a data
// connection's packets captured before the command that announced it, a
// reply acknowledged late) are numbered by frame, and a session that keeps
// only the findings' steps numbers the ones it keeps as a session that
// keeps them all, and points its commands at the same numbers.
func TestFewStepsNumberedByFrame(t *testing.T) {
	t0 := time.Unix(1e9, 0)
	steps := []Step{
		{Frame: 1, Kind: KindHandshake},
		{Frame: 4, Kind: KindReply, Code: 220},
		{Frame: 5, Kind: KindCommand, Command: "USER"},
		{Frame: 2, Kind: KindACK}, // captured before the reply: numbered before it
		{Frame: 7, Kind: KindCommand, Command: "PASS"},
		{Frame: 6, Kind: KindReply, Code: 331},
		{Frame: 9, Kind: KindReply, Code: 227, AddressNote: "nat"},
		{Frame: 8, Kind: KindCommand, Command: "PASV"},
		{Frame: 3, Kind: KindData, Conn: RoleData, DataID: 1},
		{Frame: 10, Kind: KindData, Conn: RoleData, DataID: 1},
	}
	for _, ordered := range []bool{true, false} {
		full := &Session{}
		few := &Session{few: &fewSteps{}}
		var fullCmds, fewCmds []int
		for i, st := range steps {
			st.Time = t0.Add(time.Duration(i) * time.Second)
			if ordered {
				st.Frame = i + 1
			}
			a, b := st, st
			ia, ib := full.addStep(&a), few.addStep(&b)
			if ia != ib {
				t.Fatalf("step %d: index %d, %d keeping few", i, ia, ib)
			}
			if st.Kind == KindCommand {
				fullCmds, fewCmds = append(fullCmds, ia), append(fewCmds, ib)
			}
		}
		nFull, nFew := full.stepNumbers(), few.stepNumbers()
		if (nFull == nil) != ordered || !reflect.DeepEqual(nFull, nFew) {
			t.Fatalf("ordered %v: numbers %v, keeping few %v", ordered, nFull, nFew)
		}
		if len(few.Steps) != 5 { // 3 commands, the NAT reply, the data connection's first step
			t.Errorf("ordered %v: %d steps kept, want 5", ordered, len(few.Steps))
		}
		for _, st := range few.Steps {
			if want := full.Steps[st.N-1]; !reflect.DeepEqual(st, want) {
				t.Errorf("ordered %v: kept step %d is %+v, the timeline's %+v", ordered, st.N, st, want)
			}
		}
		for k := range fullCmds {
			if nFull != nil && nFull[fullCmds[k]] != nFew[fewCmds[k]] {
				t.Errorf("ordered %v: command %d numbered %d, %d keeping few", ordered, k, nFull[fullCmds[k]], nFew[fewCmds[k]])
			}
		}
	}
}
