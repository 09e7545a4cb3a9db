package pgwire

import (
	"errors"
	"net"
	"os"
	"sync"
	"time"
)

// watchedConn is the session's reader: while a statement runs, a watcher
// reads ahead from the connection so that a client that goes away is seen
// at once (and its statement cancelled); what it read is handed to the
// protocol reader afterwards, in order.
type watchedConn struct {
	conn    net.Conn
	mu      sync.Mutex
	pending []byte
	err     error
}

const maxPending = 1 << 20

func (w *watchedConn) Read(p []byte) (int, error) {
	w.mu.Lock()
	if len(w.pending) > 0 {
		n := copy(p, w.pending)
		w.pending = w.pending[n:]
		w.mu.Unlock()
		return n, nil
	}
	if err := w.err; err != nil {
		w.mu.Unlock()
		return 0, err
	}
	w.mu.Unlock()
	return w.conn.Read(p)
}

// watch reads ahead until stop is called; when the client closes the
// connection it calls gone. The protocol reader must not read meanwhile.
func (w *watchedConn) watch(gone func()) (stop func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 4096)
		for {
			n, err := w.conn.Read(buf)
			w.mu.Lock()
			w.pending = append(w.pending, buf[:n]...)
			full := len(w.pending) >= maxPending
			if err != nil && !errors.Is(err, os.ErrDeadlineExceeded) {
				w.err = err
			}
			w.mu.Unlock()
			if err != nil {
				if !errors.Is(err, os.ErrDeadlineExceeded) {
					gone()
				}
				return
			}
			if full {
				return
			}
		}
	}()
	return func() {
		_ = w.conn.SetReadDeadline(time.Now())
		<-done
		_ = w.conn.SetReadDeadline(time.Time{})
	}
}
