package dvcqg

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// SyntaxError is a request that is not valid JSON (or not a sync request),
// with where it went wrong.
type SyntaxError struct {
	Offset int64 // bytes before the error
	Line   int   // 1-based
	Column int   // 1-based, in bytes
	Msg    string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("line %d, column %d (byte %d): %s", e.Line, e.Column, e.Offset, e.Msg)
}

// Decoder reads one sync request — {"service": ..., "isUpdating": ...,
// "data": [...]} — or a bare JSON array, from any io.Reader, and returns the
// elements of its data array one at a time. It never holds more than one
// element (and the json.Decoder's read-ahead) in memory. Keys other than
// service and data are skipped token by token.
type Decoder struct {
	dec     *json.Decoder
	lines   *lineTracker
	state   int
	object  bool // the input is a request object, not a bare array
	sawData bool
	service string
	index   int
	mark    int64 // input offset before the last call into dec
	err     error
}

const (
	stStart = iota // before the first token
	stKeys         // inside the request object, before or after data
	stData         // inside the data array
	stEnd          // after the request: only white space may follow
	stDone         // io.EOF returned
)

// NewDecoder returns a decoder reading r.
func NewDecoder(r io.Reader) *Decoder {
	t := &lineTracker{r: r}
	dec := json.NewDecoder(t)
	dec.UseNumber()
	return &Decoder{dec: dec, lines: t}
}

// Service is the request's service once its key has been read: "" for a bare
// array, or while the key has not been reached.
func (d *Decoder) Service() string { return d.service }

// HasData tells whether the input had a data array (always true for a bare
// array); meaningful after io.EOF.
func (d *Decoder) HasData() bool { return d.sawData || !d.object }

// Next returns the next element of the data array, raw, and its 1-based
// position; io.EOF after the last. A malformed input gives a *SyntaxError,
// returned again on every later call.
func (d *Decoder) Next() (json.RawMessage, int, error) {
	if d.err != nil {
		return nil, 0, d.err
	}
	raw, err := d.next()
	if err != nil {
		if !errors.Is(err, io.EOF) {
			err = d.syntax(err)
		}
		d.err = err
		return nil, 0, err
	}
	d.index++
	d.lines.forget(d.dec.InputOffset())
	return raw, d.index, nil
}

func (d *Decoder) next() (json.RawMessage, error) {
	for {
		switch d.state {
		case stStart:
			tok, err := d.token()
			if errors.Is(err, io.EOF) {
				return nil, errors.New("empty input: expected a sync request object or a JSON array")
			}
			if err != nil {
				return nil, err
			}
			switch tok {
			case json.Delim('['):
				d.state = stData
			case json.Delim('{'):
				d.state, d.object = stKeys, true
			default:
				return nil, fmt.Errorf("found %s, expected a sync request object or a JSON array", tokenKind(tok))
			}
		case stKeys:
			if err := d.keys(); err != nil {
				return nil, err
			}
		case stData:
			if d.dec.More() {
				var raw json.RawMessage
				if err := d.decode(&raw); err != nil {
					return nil, err
				}
				return raw, nil
			}
			if _, err := d.token(); err != nil { // the closing ']'
				return nil, err
			}
			d.state = stEnd
			if d.object {
				d.state = stKeys
			}
		case stEnd:
			tok, err := d.token()
			if errors.Is(err, io.EOF) {
				d.state = stDone
				continue
			}
			if err != nil {
				return nil, err
			}
			return nil, fmt.Errorf("unexpected %s after the end of the request", tokenKind(tok))
		default:
			return nil, io.EOF
		}
	}
}

// keys reads the request's keys until its data array opens (stData) or the
// object closes (stEnd).
func (d *Decoder) keys() error {
	for d.dec.More() {
		d.lines.forget(d.dec.InputOffset())
		tok, err := d.token()
		if err != nil {
			return err
		}
		switch key, _ := tok.(string); key {
		case "service":
			tok, err := d.token()
			if err != nil {
				return err
			}
			s, ok := tok.(string)
			if !ok {
				return fmt.Errorf(`"service" is %s, expected a string`, tokenKind(tok))
			}
			d.service = s
		case "data":
			if d.sawData {
				return errors.New(`"data" appears twice in the request`)
			}
			d.sawData = true
			tok, err := d.token()
			if err != nil {
				return err
			}
			switch tok {
			case json.Delim('['):
				d.state = stData
				return nil
			case nil:
			default:
				return fmt.Errorf(`"data" is %s, expected an array`, tokenKind(tok))
			}
		default:
			if err := d.skipValue(); err != nil {
				return err
			}
		}
	}
	if _, err := d.token(); err != nil { // the closing '}'
		return err
	}
	d.state = stEnd
	return nil
}

// token and decode call the json.Decoder, noting where the call started.
func (d *Decoder) token() (json.Token, error) {
	d.mark = d.dec.InputOffset()
	return d.dec.Token()
}

func (d *Decoder) decode(v any) error {
	d.mark = d.dec.InputOffset()
	return d.dec.Decode(v)
}

// skipValue consumes one value token by token, without holding it.
func (d *Decoder) skipValue() error {
	depth := 0
	for {
		tok, err := d.token()
		if err != nil {
			return err
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
		if depth == 0 {
			return nil
		}
	}
}

// syntax turns a decoding error into a *SyntaxError with its position.
func (d *Decoder) syntax(err error) error {
	off := d.dec.InputOffset()
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		off = d.rescan(se.Offset)
	case errors.Is(err, io.ErrUnexpectedEOF):
		off = d.lines.total()
		err = errors.New("unexpected end of input (truncated file?)")
	default: // a request of the wrong shape: point at the offending value
		buf := d.lines.from(d.mark)
		off = d.mark + int64(valueStart(buf))
	}
	line, col := d.lines.position(off)
	return &SyntaxError{Offset: off, Line: line, Column: col, Msg: err.Error()}
}

// tokenKind names a JSON token for an error message.
func tokenKind(tok json.Token) string {
	switch v := tok.(type) {
	case json.Delim:
		switch v {
		case '{':
			return "an object"
		case '[':
			return "an array"
		}
		return fmt.Sprintf("%q", rune(v))
	case string:
		return "a string"
	case json.Number, float64:
		return "a number"
	case bool:
		return "a boolean"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%T", tok)
}

// rescan finds the offset of a syntax error. json.Decoder reports errors met
// while scanning a value (Decode, or a literal read by Token) as a count of
// bytes its scanner has seen over all values, not as an input offset, so the
// value that failed is scanned again, alone, from where the failing call
// started. Errors of the decoder's own structure checks carry the input
// offset already (orig), which is kept when the value scans clean.
func (d *Decoder) rescan(orig int64) int64 {
	buf := d.lines.from(d.mark)
	i := valueStart(buf)
	var raw json.RawMessage
	err := json.NewDecoder(bytes.NewReader(buf[i:])).Decode(&raw)
	var se *json.SyntaxError
	if errors.As(err, &se) {
		// se.Offset counts the bad byte itself
		return d.mark + int64(i) + max(se.Offset-1, 0)
	}
	return orig
}

// valueStart skips white space and one ',' or ':' before a value.
func valueStart(buf []byte) int {
	i := 0
	skipSpace := func() {
		for i < len(buf) && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\n' || buf[i] == '\r') {
			i++
		}
	}
	skipSpace()
	if i < len(buf) && (buf[i] == ',' || buf[i] == ':') {
		i++
		skipSpace()
	}
	return i
}
