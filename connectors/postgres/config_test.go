package postgres

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/connectors"
	"github.com/sonla-data/kho/connectors/internal/sqlsource"
)

func TestValidate(t *testing.T) {
	const dsn = "postgres://kho:" + password + "@127.0.0.1:5432/yte"
	with := func(f func(c *Config)) *Config {
		c := NewConfig()
		c.DSN, c.Table = sqlsource.Secret(dsn), "public.kham_benh"
		f(c)
		return c
	}
	tests := []struct {
		name string
		cfg  *Config
		want []string // substrings of the error; none when valid
	}{
		{name: "table", cfg: with(func(*Config) {})},
		{name: "query", cfg: with(func(c *Config) { c.Table, c.Query = "", "SELECT 1;" })},
		{name: "key=value dsn", cfg: with(func(c *Config) { c.DSN = "host=10.0.0.1 user=kho password=x dbname=yte" })},
		{name: "incremental with lag", cfg: with(func(c *Config) {
			c.Incremental = &sqlsource.Incremental{Column: "cap_nhat_luc", Lag: "10m", IncludeNulls: true}
		})},
		{name: "numeric lag", cfg: with(func(c *Config) { c.Incremental = &sqlsource.Incremental{Column: "phien_ban", Lag: "1000"} })},
		{name: "nothing", cfg: NewConfig(), want: []string{"source.dsn: give the connection string", "source.table: give table or query"}},
		{name: "both", cfg: with(func(c *Config) { c.Query = "SELECT 1" }), want: []string{"source.table: give table or query, not both"}},
		{name: "injection in table", cfg: with(func(c *Config) { c.Table = `t"; DROP TABLE t; --` }), want: []string{"source.table:"}},
		{name: "bad incremental column", cfg: with(func(c *Config) { c.Incremental = &sqlsource.Incremental{Column: "a;b"} }),
			want: []string{"source.incremental.column:"}},
		{name: "no incremental column", cfg: with(func(c *Config) { c.Incremental = &sqlsource.Incremental{} }),
			want: []string{"source.incremental.column: give"}},
		{name: "bad lag", cfg: with(func(c *Config) { c.Incremental = &sqlsource.Incremental{Column: "c", Lag: "ten minutes"} }),
			want: []string{`source.incremental.lag: "ten minutes" is neither a duration`}},
		{name: "negative lag", cfg: with(func(c *Config) { c.Incremental = &sqlsource.Incremental{Column: "c", Lag: "-1h"} }),
			want: []string{`source.incremental.lag: "-1h" is negative`}},
		{name: "bad numbers", cfg: with(func(c *Config) { c.BatchRows, c.Retries, c.RetryWait, c.ConnectTimeout = -1, 99, "soon", "-1s" }),
			want: []string{"source.batch_rows:", "source.retries:", "source.retry_wait:", "source.connect_timeout:"}},
		{name: "bad dsn", cfg: with(func(c *Config) { c.DSN = sqlsource.Secret("postgres://kho:" + password + "@host:notaport/yte") }),
			want: []string{"source.dsn: not a PostgreSQL connection string"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			if len(tt.want) == 0 {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			for _, w := range tt.want {
				assert.Contains(t, err.Error(), w)
			}
			assert.NotContains(t, err.Error(), password)
		})
	}
}

func TestSecretNeverPrinted(t *testing.T) {
	c := NewConfig()
	c.DSN = sqlsource.Secret("postgres://kho:" + password + "@127.0.0.1:5432/yte")
	for _, s := range []string{fmt.Sprint(c), fmt.Sprintf("%v %+v %#v %s", c, c, c, c.DSN)} {
		assert.NotContains(t, s, password)
	}
}

func TestRegistered(t *testing.T) {
	spec, ok := connectors.Default.Lookup("postgres")
	require.True(t, ok)
	c, isConfig := spec.NewConfig().(*Config)
	require.True(t, isConfig)
	assert.Equal(t, 3, c.Retries, "defaults are filled")
}
