package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
)

// SecretPrefix starts every token, so that leaked tokens are easy to grep for.
const SecretPrefix = "kho_"

// newSecret is a random 32-byte token, URL-safe.
func newSecret() string {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("crypto/rand: " + err.Error()) // never fails on supported platforms
	}
	return SecretPrefix + base64.RawURLEncoding.EncodeToString(b[:])
}

func newID() string {
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("crypto/rand: " + err.Error())
	}
	return "tk_" + hex.EncodeToString(b[:])
}

// hashSecret is what the store keeps of a token.
func hashSecret(secret string) string {
	h := sha256.Sum256([]byte(strings.TrimSpace(secret)))
	return hex.EncodeToString(h[:])
}
