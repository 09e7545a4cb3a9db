package dvcqg

import "github.com/sonla-data/kho/internal/secret"

// Secret is a value that must never be printed, such as the platform's token
// (the one type of internal/secret).
type Secret = secret.Secret
