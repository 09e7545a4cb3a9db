package sqltest

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/sonla-data/kho/connectors"
)

// Watched wraps a pipeline's source config so that a test learns which rows
// a run read (the first column, an int64 id) and can act while the run reads:
// During is called after the first batch, when the source's snapshot has
// been taken but the run has not finished.
type Watched struct {
	connectors.Config
	During func()
	Read   []int64
}

// Open opens the wrapped source.
func (w *Watched) Open(ctx context.Context, env connectors.Env) (connectors.Source, error) {
	src, err := w.Config.Open(ctx, env)
	if err != nil {
		return nil, err
	}
	return &watchedSource{Source: src, w: w}, nil
}

type watchedSource struct {
	connectors.Source
	w       *Watched
	batches int
}

func (s *watchedSource) Next(ctx context.Context) (arrow.RecordBatch, error) {
	rec, err := s.Source.Next(ctx)
	if err != nil {
		return rec, err
	}
	ids := rec.Column(0).(*array.Int64)
	for i := range ids.Len() {
		s.w.Read = append(s.w.Read, ids.Value(i))
	}
	if s.batches++; s.batches == 1 && s.w.During != nil {
		s.w.During()
	}
	return rec, nil
}

// Watermark is the wrapped source's.
func (s *watchedSource) Watermark() string {
	if w, ok := s.Source.(interface{ Watermark() string }); ok {
		return w.Watermark()
	}
	return ""
}
