package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"gopkg.in/yaml.v3"

	"github.com/sonla-data/kho/connectors"
	"github.com/sonla-data/kho/connectors/postgres"
)

// khoPGSource drains Kho's own postgres connector (the extraction alone:
// typed Arrow batches, no conform, no write), the figure the binary COPY
// drain bounds.
func khoPGSource(ctx context.Context, dsn, table string) (refResult, error) {
	cfg := postgres.NewConfig()
	spec, _ := yaml.Marshal(map[string]string{"dsn": dsn, "table": table})
	if err := yaml.Unmarshal(spec, cfg); err != nil {
		return refResult{}, err
	}
	src, err := cfg.Open(ctx, connectors.Env{Alloc: memory.NewGoAllocator()})
	if err != nil {
		return refResult{}, err
	}
	defer src.Close()
	var res refResult
	for {
		rec, err := src.Next(ctx)
		if errors.Is(err, io.EOF) {
			return res, nil
		}
		if err != nil {
			return res, err
		}
		res.Rows += rec.NumRows()
		rec.Release()
	}
}

// pgSourceFigure measures the connector alone against the binary COPY drain.
func (b *bench) pgSourceFigure(ctx context.Context, n int64, table string, ref measure) error {
	b.progress("kho postgres source drain %s", table)
	src, err := runRef(ctx, "kho-pg-source", "-dsn", b.pgDSN, "-table", "public."+table)
	if err != nil {
		return err
	}
	b.progress("  %.2f s (cpu %.2f s), %d rows", src.Seconds, src.CPUSeconds, src.Rows)
	b.report.Figures = append(b.report.Figures, Figure{Name: "postgres source drain", Size: size(n) + " rows", Unit: "s",
		Kho: src.Seconds, KhoDetail: fmt.Sprintf("cpu %.2f s", src.CPUSeconds),
		RefName: "COPY TO STDOUT binary (pgx)", Ref: ref.Seconds, RefDetail: fmt.Sprintf("cpu %.2f s", ref.CPUSeconds),
		Ratio: ratio(src.Seconds, ref.Seconds), Goal: "<= 1.5x", Met: boolp(ratio(src.Seconds, ref.Seconds) <= 1.5),
		Note: fmt.Sprintf("the connector alone (no conform, no write); cpu %.1f s vs %.1f s", src.CPUSeconds, ref.CPUSeconds),
		Raw:  map[string]any{"kho": src, "ref": ref}})
	return nil
}
