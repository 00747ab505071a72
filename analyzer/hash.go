package analyzer

import (
	"crypto/sha256"
	"encoding/hex"
	"hash"
)

// hasher computes the SHA-256 of one direction of a data connection as its
// bytes go by, so payloads are never kept.
type hasher struct {
	h hash.Hash
}

func (h *hasher) write(p []byte) {
	if h.h == nil {
		h.h = sha256.New()
	}
	h.h.Write(p)
}

func (h *hasher) sum() string {
	if h.h == nil {
		h.h = sha256.New()
	}
	return hex.EncodeToString(h.h.Sum(nil))
}
