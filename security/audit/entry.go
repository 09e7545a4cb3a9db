package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"
)

// Kinds of entries.
const (
	KindQuery = "query"
	KindAdmin = "admin"
	KindAuth  = "auth" // authentication failures and refusals of a client (Tally)
)

// Outcomes of a query.
const (
	OK       = "ok"
	Refused  = "refused"
	Error    = "error"
	Timeout  = "timeout"
	Canceled = "canceled"
	Denied   = "unauthenticated"
)

// Entry is one line of the log.
type Entry struct {
	ID        int64         `json:"id"`
	At        time.Time     `json:"at"`
	Kind      string        `json:"kind"`   // query | admin | auth
	Source    string        `json:"source"` // http | pgwire | cli
	Action    string        `json:"action"` // sql, mart, download, dataset; token.create, token.revoke
	TokenID   string        `json:"token_id,omitempty"`
	Name      string        `json:"name"`
	Role      string        `json:"role"`
	Remote    string        `json:"remote,omitempty"`
	Object    string        `json:"object,omitempty"` // the mart, dataset or token acted on
	SQL       string        `json:"sql,omitempty"`
	Rows      int64         `json:"rows"`
	Truncated bool          `json:"truncated,omitempty"`
	Duration  time.Duration `json:"duration_ns"`
	Outcome   string        `json:"outcome"`
	Reason    string        `json:"reason,omitempty"`
	// Count is how many events the entry stands for, when Tally folded a
	// flood into it (0 for a plain entry, which stands for one).
	Count int64  `json:"count,omitempty"`
	Hash  string `json:"hash,omitempty"`
}

// chain is the hash of an entry after prev.
func chain(prev string, e Entry) string {
	e.ID, e.Hash = 0, ""
	e.At = e.At.UTC()
	b, _ := json.Marshal(e)
	h := sha256.New()
	h.Write([]byte(prev))
	h.Write([]byte{'\n'})
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil))
}
