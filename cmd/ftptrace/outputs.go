package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"
)

// fileID is a file's identity: its device and inode. Two names of one
// file (a symbolic or hard link, ./cap.pcap and cap.pcap) have the same.
type fileID struct{ dev, ino uint64 }

func idOf(info os.FileInfo) (fileID, bool) {
	if info == nil {
		return fileID{}, false
	}
	st, ok := info.Sys().(*syscall.Stat_t)
	if !ok {
		return fileID{}, false
	}
	return fileID{uint64(st.Dev), uint64(st.Ino)}, true
}

// refuseInputsAsOutputs refuses, before anything is read, an output that
// is one of the inputs: -o or -w naming a capture being read would destroy
// it, and --extract into a directory of captures being read would mix the
// extracted files with them.
func refuseInputsAsOutputs(cfg *config, inputs []input) error {
	in := map[fileID]string{}
	for _, i := range inputs {
		if id, ok := idOf(i.info); ok {
			in[id] = i.name
		}
	}
	for _, name := range cfg.files {
		if info, err := os.Stat(name); err == nil && info.IsDir() {
			if id, ok := idOf(info); ok {
				in[id] = name
			}
		}
	}
	for _, out := range []struct{ flag, name string }{{"-o", cfg.output}, {"-w", cfg.writeFile}, {"--extract", cfg.extract}} {
		if out.name == "" || out.name == "-" {
			continue
		}
		info, err := os.Stat(out.name)
		if err != nil {
			continue
		}
		id, ok := idOf(info)
		if !ok || in[id] == "" {
			continue
		}
		if info.IsDir() {
			return errorf("%s %s: that is the directory of captures being read; extract into another directory", out.flag, out.name)
		}
		return errorf("%s %s: that is the capture being read (%s), which would be overwritten; write to another file", out.flag, out.name, in[id])
	}
	return nil
}

// outputFile is -o FILE or -w FILE (or standard output). A regular file is
// written under a temporary name beside it and renamed at the end, so that
// an unwritable path fails before the analysis, an error or a second
// Ctrl-C leaves no half-written file, and an existing file is replaced
// only by a whole one. A device or FIFO (/dev/null) is written directly.
type outputFile struct {
	flag, name string
	stdout     io.Writer
	f          *os.File
	tmp        string // the temporary name, "" when writing directly
	mode       os.FileMode
}

// createOutput checks at start that the output can be written.
func createOutput(flagName, name string, stdout io.Writer) (*outputFile, error) {
	o := &outputFile{flag: flagName, name: name, stdout: stdout, mode: 0o644}
	if name == "" || name == "-" {
		return o, nil
	}
	info, err := os.Stat(name)
	switch {
	case err == nil && info.IsDir():
		return nil, errorf("%s %s: is a directory; give a file name", flagName, name)
	case err == nil && !info.Mode().IsRegular():
		f, err := os.OpenFile(name, os.O_WRONLY, 0)
		if err != nil {
			return nil, errorf("%s: cannot write %s: %v", flagName, name, unwrapPath(err))
		}
		o.f = f
		return o, nil
	case err == nil:
		// Writable as it is? (Opened without truncating: nothing changes yet.)
		f, err := os.OpenFile(name, os.O_WRONLY, 0)
		if err != nil {
			return nil, errorf("%s: cannot write %s: %v", flagName, name, unwrapPath(err))
		}
		f.Close()
		o.mode = info.Mode().Perm()
	}
	f, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".ftptrace-*")
	if err != nil {
		return nil, errorf("%s: cannot write %s: %v", flagName, name, unwrapPath(err))
	}
	o.f, o.tmp = f, f.Name()
	return o, nil
}

// unwrapPath drops the *PathError's own path (of the temporary file) from
// a message that names the file the user gave.
func unwrapPath(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

func (o *outputFile) Write(b []byte) (int, error) {
	if o.f == nil {
		return o.stdout.Write(b)
	}
	n, err := o.f.Write(b)
	if err != nil {
		err = fmt.Errorf("%s %s: %w", o.flag, o.name, unwrapPath(err))
	}
	return n, err
}

// Close puts the whole file in place.
func (o *outputFile) Close() error {
	if o.f == nil {
		return nil
	}
	f := o.f
	o.f = nil
	err := f.Close()
	if o.tmp == "" {
		return err
	}
	if err == nil {
		err = os.Chmod(o.tmp, o.mode)
	}
	if err == nil {
		err = os.Rename(o.tmp, o.name)
	}
	if err != nil {
		os.Remove(o.tmp)
		return fmt.Errorf("%s %s: %w", o.flag, o.name, unwrapPath(err))
	}
	return nil
}

// discard removes the temporary file at a second Ctrl-C, from the signal's
// goroutine: only the name is read, which never changes.
func (o *outputFile) discard() {
	if o != nil && o.tmp != "" {
		os.Remove(o.tmp)
	}
}

// Abort removes what was written under the temporary name.
func (o *outputFile) Abort() {
	if o == nil || o.f == nil {
		return
	}
	o.f.Close()
	o.f = nil
	if o.tmp != "" {
		os.Remove(o.tmp)
	}
}
