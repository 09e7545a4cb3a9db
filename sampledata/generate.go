package sampledata

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
)

// Options tells Generate where and how much to write.
type Options struct {
	// Out is the folder to write into (created if missing). Files of a
	// previous run with the same names are replaced.
	Out string
	// Scale multiplies the row counts (>= 1): 10 000 × Scale visits and
	// dossiers, 150 × Scale heritage sites, Scale reporting units per commune.
	Scale int
	// Seed seeds every random stream; the same Scale and Seed give the same bytes.
	Seed int64
}

// Validate reports every problem of the options at once.
func (o Options) Validate() error {
	var errs []error
	if o.Out == "" {
		errs = append(errs, errors.New("sampledata: Out is empty"))
	}
	if o.Scale < 1 {
		errs = append(errs, fmt.Errorf("sampledata: Scale is %d, must be >= 1", o.Scale))
	}
	return errors.Join(errs...)
}

// generator writes one source and returns its manifest entry.
type generator struct {
	name string
	run  func(ctx context.Context, g *gen) (Source, error)
}

// gen is the shared, read-only state of one Generate call.
type gen struct {
	opt Options
	geo *geo
}

// rng returns the PCG stream of one source, seeded from the options' Seed.
func (g *gen) rng(stream string) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(stream))
	return rand.New(rand.NewPCG(uint64(g.opt.Seed), h.Sum64()))
}

func (g *gen) path(parts ...string) string {
	return filepath.Join(append([]string{g.opt.Out}, parts...)...)
}

// Generate writes the synthetic province under opt.Out and returns its
// manifest, also written as opt.Out/manifest.json. The sources are written
// concurrently, each from its own random stream, so the result does not
// depend on scheduling.
func Generate(ctx context.Context, opt Options) (*Manifest, error) {
	if err := opt.Validate(); err != nil {
		return nil, err
	}
	g := &gen{opt: opt, geo: newGeo()}
	for _, dir := range []string{"", "labour", "culture", "dossiers", "reference"} {
		if err := os.MkdirAll(g.path(dir), 0o755); err != nil {
			return nil, fmt.Errorf("creating %s: %w", g.path(dir), err)
		}
	}
	gens := []generator{
		{SourceHealth, genHealth},
		{SourceAgriculture, genAgriculture},
		{SourceLabour, genLabour},
		{SourceCulture, genCulture},
		{SourceDossiers, genDossiers},
		{SourceIndustry, genIndustry},
		{SourceEnvironment, genEnvironment},
		{SourceEducation, genEducation},
		{SourceTransport, genTransport},
		{SourceConstruct, genConstruction},
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	out := make([]Source, len(gens))
	errs := make([]error, len(gens))
	var wg sync.WaitGroup
	for i, gn := range gens {
		wg.Go(func() {
			s, err := gn.run(ctx, g)
			if err != nil {
				errs[i] = fmt.Errorf("generating %s: %w", gn.name, err)
				cancel()
				return
			}
			s.Name = gn.name
			out[i] = s
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	m := &Manifest{Scale: opt.Scale, Seed: opt.Seed, Sources: out}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encoding manifest: %w", err)
	}
	if err := os.WriteFile(g.path(ManifestFile), append(b, '\n'), 0o644); err != nil {
		return nil, fmt.Errorf("writing manifest: %w", err)
	}
	return m, nil
}
