package reassembly

import (
	"os"
	"testing"
)

// needRoot skips a test that needs root (CI runs as root), saying what
// needs it and how to run the test.
func needRoot(t *testing.T, what string) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skipf("%s needs root (CI runs as root): sudo go test ./reassembly -run %s", what, t.Name())
	}
}
