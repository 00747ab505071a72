package report

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
)

// The files of an extraction: each payload is written under a temporary
// name of its own in the root, and named when its session ends, never over
// another file; a signal removes the temporary ones (Abort).

// createTemp is os.CreateTemp inside the root: a random name, created only
// if it does not exist yet, and known to Abort.
func (x *Extractor) createTemp() (*os.File, string, error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.aborted {
		return nil, "", errors.New("interrupted")
	}
	for try := 0; ; try++ {
		name := fmt.Sprintf("%s%016x.part", tempPrefix, rand.Uint64())
		f, err := x.root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, os.ErrExist) && try < 100 {
			continue
		}
		if err != nil {
			return nil, "", err
		}
		x.temps[name] = true
		return f, name, nil
	}
}

// place gives a temporary file its name, or the name with ~2, ~3... when
// another file has it: never over another file, even one another run
// creates at the same moment (a hard link fails when the name exists;
// where the file system has none, a rename after a look).
func (x *Extractor) place(temp, name string) (string, error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.aborted {
		return "", errors.New("interrupted")
	}
	for i := 1; ; i++ {
		final := name
		if i > 1 {
			final = fmt.Sprintf("%s~%d", name, i)
		}
		err := x.root.Link(temp, final)
		switch {
		case err == nil:
			x.root.Remove(temp)
		case errors.Is(err, os.ErrExist):
			continue
		default:
			if _, serr := x.root.Lstat(final); !errors.Is(serr, os.ErrNotExist) {
				continue
			}
			if err := x.root.Rename(temp, final); err != nil {
				return "", err
			}
		}
		delete(x.temps, temp)
		x.root.Chmod(final, 0o644)
		return final, nil
	}
}

// discard removes a file no transfer claims (a listing not asked for):
// what it took counts no more against --extract-max.
func (x *Extractor) discard(pt *part) {
	if pt.f != nil {
		pt.f.Close()
		x.remove(pt.temp)
		x.used -= pt.size
	}
}

func (x *Extractor) remove(temp string) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.root.Remove(temp)
	delete(x.temps, temp)
}

// Abort removes every temporary file and lets no other be made: for a
// signal that ends the run. It may be called from any goroutine, at any
// time; the files already named stay.
func (x *Extractor) Abort() {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.aborted = true
	for name := range x.temps {
		x.root.Remove(name)
		delete(x.temps, name)
	}
}
