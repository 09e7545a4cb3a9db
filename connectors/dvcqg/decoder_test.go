package dvcqg

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/connectors"
)

func TestDecoderErrors(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		elements int
		line     int
		column   int
		msg      string
	}{
		{name: "empty", in: "", msg: "empty input"},
		{name: "white space only", in: "  \n ", line: 2, column: 2, msg: "empty input"},
		{name: "a string", in: `"x"`, msg: "found a string"},
		{name: "missing comma between dossiers", in: "[{\"a\":1}\n {\"b\":2}]", elements: 1, line: 2, column: 2, msg: "expected comma"},
		{name: "bad escape in a dossier", in: "{\"data\": [\n{\"a\": \"\\q\"}]}", line: 2, column: 9, msg: "invalid character 'q'"},
		{name: "bad literal in the service", in: "{\"service\": tru, \"data\": []}", line: 1, column: 16, msg: "invalid character"},
		{name: "service not a string", in: `{"service": 1, "data": []}`, line: 1, column: 13, msg: `"service" is a number`},
		{name: "data twice", in: `{"data": [], "data": []}`, line: 1, column: 14, msg: `"data" appears twice`},
		{name: "trailing data", in: "[1]\n[2]", elements: 1, line: 2, column: 1, msg: "unexpected an array after the end"},
		{name: "truncated in a key", in: "{\"data\": [{\"a\": 1}], \"serv", elements: 1, line: 1, column: 27, msg: "unexpected end of input"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := NewDecoder(strings.NewReader(tt.in))
			n := 0
			var err error
			for {
				if _, _, err = d.Next(); err != nil {
					break
				}
				n++
			}
			assert.Equal(t, tt.elements, n)
			var se *SyntaxError
			require.ErrorAs(t, err, &se)
			assert.Contains(t, se.Msg, tt.msg)
			if tt.line > 0 {
				assert.Equal(t, tt.line, se.Line, "line")
				assert.Equal(t, tt.column, se.Column, "column")
			}
			_, _, again := d.Next()
			assert.Equal(t, err, again, "the error is final")
		})
	}
}

func TestDecoderRequests(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		service string
		indexes int
		hasData bool
	}{
		{name: "service first", in: `{"service":"DongBoHoSoMC","isUpdating":{"a":[1,{"b":2}]},"data":[{},{}]}`, service: ServiceDossiers, indexes: 2, hasData: true},
		{name: "service last", in: `{"data":[{}],"service":"CapNhatTienDoHoSoMC"}`, service: ServiceProgress, indexes: 1, hasData: true},
		{name: "data null", in: `{"service":"DongBoHoSoMC","data":null}`, service: ServiceDossiers, hasData: true},
		{name: "no data", in: `{"service":"DongBoHoSoMC"}`, service: ServiceDossiers},
		{name: "bare array", in: ` [ {} , 1 ] `, indexes: 2, hasData: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := NewDecoder(strings.NewReader(tt.in))
			n := 0
			for {
				_, i, err := d.Next()
				if errors.Is(err, io.EOF) {
					break
				}
				require.NoError(t, err)
				n++
				assert.Equal(t, n, i)
			}
			assert.Equal(t, tt.indexes, n)
			assert.Equal(t, tt.service, d.Service())
			assert.Equal(t, tt.hasData, d.HasData())
		})
	}
}

// bigRequest streams a request of n dossiers without building it in memory.
type bigRequest struct {
	n, i int
	buf  []byte
}

func (r *bigRequest) Read(p []byte) (int, error) {
	for len(r.buf) < len(p) && r.i <= r.n+1 {
		switch {
		case r.i == 0:
			r.buf = append(r.buf, `{"service":"DongBoHoSoMC","data":[`...)
		case r.i <= r.n:
			if r.i > 1 {
				r.buf = append(r.buf, ",\n"...)
			}
			r.buf = fmt.Appendf(r.buf, `{"MaHoSo":"000.00.06.H56-250701-%04d","ChuHoSo":"Lò Văn Tùng","TaiLieuNop":[{"DuocSoHoa":1}]}`, r.i%10000)
		default:
			r.buf = append(r.buf, "]}\n"...)
		}
		r.i++
	}
	if len(r.buf) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	return n, nil
}

// TestDecoderBoundedMemory reads 200 000 dossiers (about 20 MB) and checks
// that the decoder keeps only a window of the input.
func TestDecoderBoundedMemory(t *testing.T) {
	const n = 200_000
	d := NewDecoder(&bigRequest{n: n})
	kept, count := 0, 0
	for {
		_, _, err := d.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err)
		count++
		kept = max(kept, len(d.lines.buf))
	}
	assert.Equal(t, n, count)
	assert.Less(t, kept, 64<<10, "bytes kept for line numbers")
	line, _ := d.lines.position(d.lines.total())
	assert.Equal(t, n+1, line)
}

// FuzzDossierDecode feeds any bytes to the decoder and to every record kind:
// no panic, no leaked Arrow memory, and only *SyntaxError or io.EOF to end.
func FuzzDossierDecode(f *testing.F) {
	f.Add([]byte(`{"service":"DongBoHoSoMC","isUpdating":false,"data":[{"MaHoSo":"000.00.06.H56-250701-0001","TaiLieuNop":[{"DuocSoHoa":1}],"DanhSachGiayToKetQua":[{}]}]}`))
	f.Add([]byte(`[{"MaHoSo":{"a":1}},1,"x",null,[]]`))
	f.Add([]byte(`{"service":"CapNhatTienDoHoSoMC","data":[{"MaHoSo":"x","TrangThai":9}]}`))
	f.Add([]byte(`{"data":[{"TaiLieuNop":{"x":1}}`))
	f.Add([]byte("{\"data\": [\n{\"a\": \"\\q\"}]}"))
	f.Fuzz(func(t *testing.T, in []byte) {
		alloc := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer alloc.AssertSize(t, 0)
		for _, name := range []string{RecordDossiers, RecordDocuments, RecordResults, RecordProgress} {
			kind := records[name]
			tb := connectors.NewTextBatcher(alloc, kind.columns)
			d := NewDecoder(strings.NewReader(string(in)))
			for {
				raw, idx, err := d.Next()
				if err != nil {
					var se *SyntaxError
					if !errors.Is(err, io.EOF) && !errors.As(err, &se) {
						t.Fatalf("unexpected error type %T: %v", err, err)
					}
					break
				}
				kind.rows(parseObject(raw, kind.what), func(vals []*string, reason string) {
					tb.AppendBad(vals, "fuzz", int64(idx), reason)
				})
			}
			if rec := tb.Flush(); rec != nil {
				rec.Release()
			}
			tb.Release()
		}
	})
}
