package audit

import (
	"fmt"
	"net"
	"strings"
	"sync"
	"time"
)

// maxTallies bounds the keys counted at once; beyond it, new clients are
// counted together under the remote "*".
const maxTallies = 10000

// maxTallyObjects bounds the objects an aggregate names.
const maxTallyObjects = 20

// tallyKey is what folds events into one entry: the same client (address
// without the port), source, action, outcome, reason and token, in the same
// minute.
type tallyKey struct {
	remote, source, action, outcome, reason, token string
	minute                                         int64
}

type tallyCount struct {
	first   Entry
	last    time.Time
	n       int64 // events after the first, not yet written
	objects []string
}

type tally struct {
	mu     sync.Mutex
	keys   map[tallyKey]*tallyCount
	closed bool
}

// Tally records an event that can come in floods (failed logins, refused
// connections, forbidden datasets): the first event of a client, source,
// action, outcome and reason in a minute is written as it comes (Count 1);
// the others of that minute are counted and written as one entry whose
// Count is how many there were, when the minute is over (or at Flush and
// Close). Counts add up: 600 bad tokens in a minute are two entries whose
// Counts sum to 600. Remote is reduced to the client's address.
func (l *Log) Tally(e Entry) {
	if e.At.IsZero() {
		e.At = time.Now()
	}
	if host, _, err := net.SplitHostPort(e.Remote); err == nil {
		e.Remote = host
	}
	k := tallyKey{remote: e.Remote, source: e.Source, action: e.Action, outcome: e.Outcome, reason: e.Reason,
		token: e.TokenID, minute: e.At.Unix() / 60}
	t := &l.tally
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return
	}
	if t.keys == nil {
		t.keys = map[tallyKey]*tallyCount{}
	}
	c := t.keys[k]
	if c == nil && len(t.keys) >= maxTallies {
		k.remote, e.Remote = "*", "*"
		c = t.keys[k]
	}
	if c == nil {
		e.Count = 1
		t.keys[k] = &tallyCount{first: e, last: e.At}
		l.Record(e)
		return
	}
	c.n++
	c.last = e.At
	if e.Object != "" && len(c.objects) < maxTallyObjects && !contains(c.objects, e.Object) {
		c.objects = append(c.objects, e.Object)
	}
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// emitTallies writes the counted events of the minutes that are over, or of
// every minute when all is set (Flush, Close).
func (l *Log) emitTallies(all bool) {
	t := &l.tally
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return
	}
	now := time.Now().Unix() / 60
	for k, c := range t.keys {
		over := k.minute < now
		if !over && !all {
			continue
		}
		if c.n > 0 {
			e := c.first
			e.At, e.Count = c.last, c.n
			e.Reason = strings.TrimSpace(fmt.Sprintf("%s (×%d more from %s in the minute %s)", e.Reason, c.n, e.Remote,
				time.Unix(k.minute*60, 0).UTC().Format("2006-01-02 15:04Z")))
			e.Object = strings.Join(c.objects, ", ") // of the events counted (the first 20)
			l.Record(e)
			c.n, c.objects = 0, nil
		}
		if over {
			delete(t.keys, k)
		}
	}
}

// tallier writes the tallies of minutes that are over.
func (l *Log) tallier() {
	tk := time.NewTicker(l.tallyEvery)
	defer tk.Stop()
	for {
		select {
		case <-l.stopTally:
			return
		case <-tk.C:
			l.emitTallies(false)
		}
	}
}
