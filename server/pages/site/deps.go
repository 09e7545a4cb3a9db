package site

import (
	"context"
	"errors"
	"time"

	"github.com/sonla-data/kho/pipelines"
	"github.com/sonla-data/kho/schemas"
	"github.com/sonla-data/kho/security/auth"
	"github.com/sonla-data/kho/warehouse/marts"
)

// RunHistory is the pipelines' run history. *pipelines.History is one.
type RunHistory interface {
	// Latest returns the newest run of every pipeline that ever ran.
	Latest(ctx context.Context) ([]pipelines.Run, error)
}

// TableInfo is what the lake says of one table's current snapshot.
type TableInfo struct {
	Name     string
	Exists   bool
	Rows     int64
	Modified time.Time // the current snapshot's commit time; zero when none
	Snapshot int64
}

// Tables tells what the lake holds.
type Tables interface {
	// Table describes one table; Exists is false when the lake has none.
	Table(ctx context.Context, name string) (TableInfo, error)
}

// Principal is who a token belongs to.
type Principal struct {
	Name string
	Role string // admin | engineer | analyst | dashboard | public
	// Auth is the token's principal as the engine sees it (agency, grants,
	// PII grant); zero: Name and Role only.
	Auth auth.Principal
}

// ErrBadToken is returned by an Authenticator for a token it does not know.
var ErrBadToken = errors.New("unknown or revoked token")

// Authenticator checks a token.
type Authenticator interface {
	Authenticate(ctx context.Context, token string) (Principal, error)
}

// Deps is everything the pages read.
type Deps struct {
	// Query runs the pages' SQL through the serving engine: nothing else
	// of the pages reads the lake's data.
	Query     *Querier
	History   RunHistory
	Tables    Tables
	Schemas   *schemas.Set
	Pipelines []*pipelines.Pipeline
	Marts     []*marts.Mart
	Auth      Authenticator
	// Now is the clock (nil: time.Now).
	Now func() time.Time
}

// Clock returns Now or time.Now.
func (d *Deps) Clock() time.Time {
	if d.Now != nil {
		return d.Now()
	}
	return time.Now()
}

// Mart finds a mart by name.
func (d *Deps) Mart(name string) (*marts.Mart, bool) {
	for _, m := range d.Marts {
		if m.Name == name {
			return m, true
		}
	}
	return nil, false
}

// Feeding returns the pipelines that write a dataset.
func (d *Deps) Feeding(dataset string) []*pipelines.Pipeline {
	var out []*pipelines.Pipeline
	for _, p := range d.Pipelines {
		if p.Target.Dataset == dataset {
			out = append(out, p)
		}
	}
	return out
}
