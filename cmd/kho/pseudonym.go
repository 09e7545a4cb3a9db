package main

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// pseudonymSecret reads the warehouse's pseudonym secret from
// <data_dir>/pseudonym.key, making it (32 random bytes, hex, mode 0600) the
// first time: the serving engine keys the pseudonyms of identifiers with it
// (security/mask), so keeping it keeps every token's pseudonyms stable across
// restarts. It is never printed.
func pseudonymSecret(dataDir string) ([]byte, error) {
	path := filepath.Join(dataDir, "pseudonym.key")
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		raw := make([]byte, 32)
		_, _ = rand.Read(raw) // never fails (crypto/rand)
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err == nil {
			_, err = f.WriteString(hex.EncodeToString(raw) + "\n")
			err = errors.Join(err, f.Close())
			if err != nil {
				return nil, fmt.Errorf("writing the pseudonym key %s: %w", path, err)
			}
			return raw, nil
		}
		if !errors.Is(err, fs.ErrExist) { // made meanwhile by another kho: read it
			return nil, fmt.Errorf("writing the pseudonym key %s: %w", path, err)
		}
		b, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, fmt.Errorf("reading the pseudonym key %s: %w", path, err)
	}
	raw, err := hex.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(raw) < 16 {
		return nil, fmt.Errorf("the pseudonym key %s is not 16 bytes or more in hex", path)
	}
	return raw, nil
}
