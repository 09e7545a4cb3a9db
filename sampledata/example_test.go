package sampledata_test

import (
	"context"
	"fmt"
	"os"

	"github.com/sonla-data/kho/sampledata"
)

func ExampleGenerate() {
	dir, err := os.MkdirTemp("", "province")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	m, err := sampledata.Generate(context.Background(), sampledata.Options{Out: dir, Scale: 1, Seed: 42})
	if err != nil {
		panic(err)
	}
	visits, _ := m.Item(sampledata.SourceHealth, "health.db", "luot_kham")
	sites, _ := m.Item(sampledata.SourceCulture, sampledata.CultureFile, "")
	fmt.Println("visits:", visits.Rows, "bad:", visits.BadRows())
	fmt.Println("heritage sites:", sites.Rows, "trailer rows:", sites.TrailerRows)
	// Output:
	// visits: 10000 bad: 150
	// heritage sites: 150 trailer rows: 8
}
