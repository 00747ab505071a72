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

// TestGrownStepsGoToTheNextSession: the step arrays a session outgrows go
// to the next session of the same analyzer (grownSteps, no lock), cleared:
// the next session's steps are its own, nothing of the first shows past
// them, and the arrays are the first session's, not new ones.
func TestGrownStepsGoToTheNextSession(t *testing.T) {
	var grown grownSteps
	first := &Session{grown: &grown}
	for i := range 20 { // 4, 8, 16, then 32 steps: three arrays outgrown
		first.addStep(&Step{Frame: i + 1, Kind: KindCommand, Command: "USER", Arg: "secret"})
	}
	for c, size := range []int{4, 8, 16} {
		if len(grown.free[c]) != 1 || cap(grown.free[c][0]) != size {
			t.Fatalf("class %d: kept %d arrays, want the first session's one of %d steps", c, len(grown.free[c]), size)
		}
	}
	outgrown := &grown.free[0][0][:1][0]
	second := &Session{grown: &grown}
	for i := range 5 { // takes the 4 and the 8
		second.addStep(&Step{Frame: 100 + i, Kind: KindReply, Code: 200})
	}
	if len(grown.free[0]) != 1 || len(grown.free[1]) != 0 || len(grown.free[2]) != 1 {
		t.Fatalf("after the second session grew to 8: %d, %d, %d arrays kept, want 1 (the 4, outgrown again), 0, 1",
			len(grown.free[0]), len(grown.free[1]), len(grown.free[2]))
	}
	if got := &grown.free[0][0][:1][0]; got != outgrown {
		t.Errorf("the second session took a new array of 4, not the one the first outgrew")
	}
	for i, st := range second.Steps {
		if st.Frame != 100+i || st.Command != "" || st.Arg != "" {
			t.Errorf("second session's step %d: %+v", i, st)
		}
	}
	for i, st := range second.Steps[len(second.Steps):cap(second.Steps)] {
		if !reflect.DeepEqual(st, Step{}) {
			t.Fatalf("past the second session's steps, slot %d holds %+v", i, st)
		}
	}
	for c := range grown.free {
		for _, arr := range grown.free[c] {
			for _, st := range arr[:cap(arr)] {
				if !reflect.DeepEqual(st, Step{}) {
					t.Fatalf("an array kept for the next session holds %+v", st)
				}
			}
		}
	}
	// At most maxGrown arrays a class: the others go to stepArrays.
	for range maxGrown + 3 {
		grown.put(make([]Step, 0, 16))
	}
	if len(grown.free[2]) != maxGrown {
		t.Errorf("%d arrays of 16 kept, want at most %d", len(grown.free[2]), maxGrown)
	}
	if grown.put(make([]Step, 0, 32)) {
		t.Errorf("an array of 32 steps, which sessions do not outgrow, was kept")
	}
}
