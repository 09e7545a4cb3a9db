package mysql

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/connectors"
	"github.com/sonla-data/kho/connectors/internal/sqlsource"
)

func TestValidate(t *testing.T) {
	const dsn = "kho:" + password + "@tcp(127.0.0.1:3306)/nong_nghiep"
	with := func(f func(c *Config)) *Config {
		c := NewConfig()
		c.DSN, c.Table = sqlsource.Secret(dsn), "nong_nghiep.chan_nuoi"
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
		{name: "url dsn", cfg: with(func(c *Config) { c.DSN = "mysql://kho:x@10.0.0.1/nong_nghiep?tls=true" })},
		{name: "incremental with lag", cfg: with(func(c *Config) {
			c.Incremental = &sqlsource.Incremental{Column: "cap_nhat_luc", Lag: "10m", IncludeNulls: true}
		})},
		{name: "nothing", cfg: NewConfig(), want: []string{"source.dsn: give the connection string", "source.table: give table or query"}},
		{name: "both", cfg: with(func(c *Config) { c.Query = "SELECT 1" }), want: []string{"source.table: give table or query, not both"}},
		{name: "injection in table", cfg: with(func(c *Config) { c.Table = "t`; DROP TABLE t; --" }), want: []string{"source.table:"}},
		{name: "bad lag", cfg: with(func(c *Config) { c.Incremental = &sqlsource.Incremental{Column: "c", Lag: "ten minutes"} }),
			want: []string{`source.incremental.lag: "ten minutes" is neither a duration`}},
		{name: "bad dsn", cfg: with(func(c *Config) { c.DSN = sqlsource.Secret("kho:" + password + "@tcp(127.0.0.1:3306)") }),
			want: []string{"source.dsn: not a MySQL connection string"}},
		{name: "bad dsn parameter", cfg: with(func(c *Config) { c.DSN = sqlsource.Secret(dsn + "?parseTime=maybe") }),
			want: []string{"source.dsn: not a MySQL connection string"}},
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

// TestDriverConfig: whatever the DSN says, the source reads times itself, in
// a UTC session, with server-side prepared statements.
func TestDriverConfig(t *testing.T) {
	for _, dsn := range []string{
		"kho:" + password + "@tcp(10.0.0.1:3306)/nn?parseTime=true&loc=Local&interpolateParams=true&multiStatements=true",
		"mysql://kho:" + password + "@10.0.0.1/nn?parseTime=true&interpolateParams=true",
	} {
		c := NewConfig()
		c.DSN = sqlsource.Secret(dsn)
		cfg, err := c.myConfig(nil)
		require.NoError(t, err)
		assert.False(t, cfg.ParseTime)
		assert.False(t, cfg.InterpolateParams)
		assert.False(t, cfg.MultiStatements)
		assert.Equal(t, time.UTC, cfg.Loc)
		assert.Equal(t, "'+00:00'", cfg.Params["time_zone"])
		assert.Equal(t, "10.0.0.1:3306", cfg.Addr)
		assert.Equal(t, "kho", cfg.User)
		assert.Equal(t, password, cfg.Passwd)
		assert.Equal(t, 10*time.Second, cfg.Timeout)
	}
}

func TestSecretNeverPrinted(t *testing.T) {
	c := NewConfig()
	c.DSN = sqlsource.Secret("kho:" + password + "@tcp(127.0.0.1:3306)/nn")
	for _, s := range []string{fmt.Sprint(c), fmt.Sprintf("%v %+v %#v %s", c, c, c, c.DSN)} {
		assert.NotContains(t, s, password)
	}
}

func TestRegistered(t *testing.T) {
	spec, ok := connectors.Default.Lookup("mysql")
	require.True(t, ok)
	c, isConfig := spec.NewConfig().(*Config)
	require.True(t, isConfig)
	assert.True(t, c.TinyInt1Bool, "defaults are filled")
	assert.Equal(t, 3, c.Retries)
}
