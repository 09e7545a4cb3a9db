package main

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/spf13/viper"
	"gopkg.in/yaml.v3"

	"github.com/sonla-data/kho/internal/yamlpos"

	"github.com/sonla-data/kho/configs"
	"github.com/sonla-data/kho/server/pages/opendata"
	"github.com/sonla-data/kho/warehouse/lake"
)

// Config is kho.yaml.
type Config struct {
	DataDir      string           `mapstructure:"data_dir"`
	Lake         lake.Config      `mapstructure:"lake"`
	PipelinesDir string           `mapstructure:"pipelines_dir"`
	Portal       opendata.Options `mapstructure:"portal"`
	Scheduler    struct {
		Concurrent  int    `mapstructure:"concurrent"`
		Maintenance string `mapstructure:"maintenance"`
	} `mapstructure:"scheduler"`
	SchemasDir string `mapstructure:"schemas_dir"`
	MartsDir   string `mapstructure:"marts_dir"`
	Log        struct {
		Format string `mapstructure:"format"`
		Level  string `mapstructure:"level"`
	} `mapstructure:"log"`
	Run struct {
		HeapLimit string `mapstructure:"heap_limit"`
	} `mapstructure:"run"`
	Query struct {
		MemoryLimit string `mapstructure:"memory_limit"`
		Threads     int    `mapstructure:"threads"`
	} `mapstructure:"query"`
	Serve ServeConfig `mapstructure:"serve"`

	// File is the config file read ("" for the built-in defaults only) and
	// BaseDir the folder relative paths resolve from.
	File    string `mapstructure:"-"`
	BaseDir string `mapstructure:"-"`

	// pipelinesProblem says why no pipeline is loaded: the pipelines'
	// folder is missing (nil when it is there, or the built-in ones are used).
	pipelinesProblem error

	// overrides says which built-in datasets and marts the project's files
	// replace (set by loadDefinitions, printed by kho validate).
	overrides []string
}

// loadConfig reads the built-in defaults, then kho.yaml (the --config file,
// or ./kho.yaml when present), then KHO_* environment variables. Unknown keys
// are errors.
func loadConfig(path string) (*Config, error) {
	v := viper.New()
	v.SetConfigType("yaml")
	if err := v.ReadConfig(bytes.NewReader(configs.Default)); err != nil {
		return nil, fmt.Errorf("reading the built-in config: %w", err)
	}
	file := path
	if file == "" {
		if _, err := os.Stat("kho.yaml"); err == nil {
			file = "kho.yaml"
		}
	}
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return nil, usageError{fmt.Errorf("reading config: %w", err)}
		}
		var root yaml.Node
		if err := yaml.Unmarshal(b, &root); err != nil {
			return nil, usageError{yamlpos.SyntaxError(file, err)}
		}
		// Keys set twice, and a file that is not key: value lines.
		var top map[string]any
		if err := yaml.Unmarshal(b, &top); err != nil {
			return nil, usageError{errors.Join(yamlpos.TypeErrors(file, err)...)}
		}
		// Every unknown key at once, with its place and the key meant; a
		// section given as a single value (lake: here), which the decoder
		// would ignore.
		errs := yamlpos.UnknownKeys(file, &root, reflect.TypeOf(Config{}), "mapstructure", "")
		errs = append(errs, sectionKinds(file, &root, reflect.TypeOf(Config{}), "")...)
		if len(errs) > 0 {
			return nil, usageError{errors.Join(errs...)}
		}
		if err := v.MergeConfig(bytes.NewReader(b)); err != nil {
			return nil, usageError{yamlpos.SyntaxError(file, err)}
		}
	}
	v.SetEnvPrefix("KHO")
	v.SetEnvKeyReplacer(strings.NewReplacer(".", "_"))
	v.AutomaticEnv()
	var c Config
	if err := v.UnmarshalExact(&c); err != nil {
		where := file
		if where == "" {
			where = "built-in config"
		}
		return nil, usageError{configTypeErrors(where, file, err)}
	}
	if err := c.checkLog(file); err != nil {
		return nil, usageError{err}
	}
	c.File = file
	if _, err := c.heapLimit(); err != nil {
		return nil, usageError{err}
	}
	c.BaseDir = "."
	if file != "" {
		c.BaseDir = filepath.Dir(file)
	}
	abs := func(p string) string {
		if p == "" || filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(c.BaseDir, p)
	}
	c.DataDir = abs(c.DataDir)
	c.Lake.Root = abs(c.Lake.Root)
	if c.Lake.Catalog.Type == "" || c.Lake.Catalog.Type == "sqlite" {
		c.Lake.Catalog.DSN = abs(c.Lake.Catalog.DSN)
	}
	if c.PipelinesDir != "" {
		c.pipelinesProblem = c.pipelinesFolder(abs(c.PipelinesDir), where(file, "pipelines_dir"))
	}
	// A project's schemas/ and sql/marts/ (beside kho.yaml, or in the current
	// folder when there is no kho.yaml, as configs/pipelines/) are found
	// without configuration; a folder named in kho.yaml must exist.
	for _, d := range []struct {
		dir     *string
		key, at string
	}{{&c.SchemasDir, "schemas_dir", "schemas"}, {&c.MartsDir, "marts_dir", "sql/marts"}} {
		if *d.dir == "" {
			if fi, err := os.Stat(abs(d.at)); err == nil && fi.IsDir() && (file != "" || !isKhoSource(c.BaseDir)) {
				*d.dir = d.at
			}
		}
		if *d.dir != "" {
			*d.dir = abs(*d.dir)
			if fi, err := os.Stat(*d.dir); err != nil || !fi.IsDir() {
				return nil, usageError{fmt.Errorf("%s: %s: %s is not a folder", where(file, d.key), d.key, *d.dir)}
			}
		}
	}
	return &c, nil
}

// where is the place of a top-level key of the config file (file:line:column
// when the file sets it), or what set it: the variable KHO_<KEY>, or the
// built-in default.
func where(file, key string) string {
	env := "KHO_" + strings.ToUpper(key)
	if os.Getenv(env) != "" { // as viper reads it: an empty variable is unset
		return env
	}
	if file != "" {
		if b, err := os.ReadFile(file); err == nil {
			doc := yamlpos.Parse(file, b)
			if doc.Root != nil && len(doc.Root.Content) > 0 {
				m := doc.Root.Content[0]
				for i := 0; i+1 < len(m.Content); i += 2 {
					if m.Content[i].Value == key {
						return doc.Pos(key)
					}
				}
			}
		}
		return file
	}
	return "built-in config"
}

// pipelinesFolder settles where the pipelines come from when the folder
// dir is not there: with no kho.yaml and the built-in default, the
// pipelines built into Kho (as from any folder that is not a project);
// otherwise the problem, naming what was looked for and the ways out, so
// that a project never silently has no pipelines. at is where the folder
// was set (file:line:column, KHO_PIPELINES_DIR or the built-in config).
func (c *Config) pipelinesFolder(dir, at string) error {
	c.PipelinesDir = dir
	fi, err := os.Stat(dir)
	if err == nil && fi.IsDir() {
		return nil
	}
	if c.File == "" && at == "built-in config" {
		c.PipelinesDir = "" // the built-in pipelines
		return nil
	}
	dir = absPath(dir)
	what := "does not exist"
	if err == nil {
		what = "is not a folder"
	} else if !errors.Is(err, os.ErrNotExist) {
		what = "cannot be read (" + err.Error() + ")"
	}
	ways := "create it (`kho init` writes a project with one), set pipelines_dir to your pipelines' folder, or pipelines_dir: \"\" for the pipelines built into Kho"
	if at == "built-in config" || at == c.File {
		return fmt.Errorf("%s sets no pipelines_dir, and its default, configs/pipelines beside it (%s), %s: no pipeline is loaded; %s", c.File, dir, what, ways)
	}
	return fmt.Errorf("%s: pipelines_dir: %s %s: no pipeline is loaded; %s", at, dir, what, ways)
}

// isKhoSource reports whether dir is Kho's own source tree, whose schemas/
// and sql/marts/ are the built-in ones (not a project's).
func isKhoSource(dir string) bool {
	b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	return err == nil && bytes.HasPrefix(b, []byte("module github.com/sonla-data/kho\n"))
}

var (
	mapstructureTypeRe  = regexp.MustCompile(`'([^']*)' expected type '([^']+)', got unconvertible type '([^']+)'(?:, value: '([^']*)')?`)
	mapstructureParseRe = regexp.MustCompile(`'([^']*)' cannot parse value as '([^']+)'`)
)

// configTypeErrors rewrites the config decoder's errors in words, each at
// its key's place in the file: "kho.yaml:7:3: lake.min_snapshots: "ten" is
// not a whole number".
func configTypeErrors(where, file string, err error) error {
	var doc yamlpos.Doc
	if file != "" {
		if b, rerr := os.ReadFile(file); rerr == nil {
			doc = yamlpos.Parse(file, b)
		}
	}
	var errs []error
	for _, line := range strings.Split(err.Error(), "\n") {
		line = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), "* "))
		if line == "" || strings.HasPrefix(line, "decoding failed") {
			continue
		}
		m := mapstructureTypeRe.FindStringSubmatch(line)
		if m == nil {
			if p := mapstructureParseRe.FindStringSubmatch(line); p != nil {
				m = []string{p[0], p[1], p[2], "", ""}
			}
		}
		if m != nil {
			path := make([]any, 0, 4)
			for _, k := range strings.Split(m[1], ".") {
				path = append(path, k)
			}
			at := where
			if doc.Root != nil {
				at = doc.Pos(path...)
			}
			errs = append(errs, fmt.Errorf("%s: %s must be %s", at, m[1], yamlpos.TypeWord(m[2])))
			continue
		}
		errs = append(errs, fmt.Errorf("%s: %s", where, yamlpos.Humane(line)))
	}
	if len(errs) == 0 {
		return fmt.Errorf("%s: %w", where, err)
	}
	return errors.Join(errs...)
}

// absPath is p made absolute for a message (p itself when that fails).
func absPath(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}

// sectionKinds reports every section of the config (a key whose value is a
// group of keys, as lake: or serve:) given as a single value or a list:
// "kho.yaml:3:7: lake must be a mapping (key: value lines), not a text (here)".
func sectionKinds(file string, n *yaml.Node, t reflect.Type, path string) []error {
	if n.Kind == yaml.DocumentNode {
		var errs []error
		for _, c := range n.Content {
			errs = append(errs, sectionKinds(file, c, t, path)...)
		}
		return errs
	}
	if n.Kind != yaml.MappingNode || t.Kind() != reflect.Struct {
		return nil
	}
	fields := map[string]reflect.Type{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("mapstructure"), ",")
		if name != "" && name != "-" {
			fields[name] = f.Type
		}
	}
	var errs []error
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		ft, ok := fields[k.Value]
		if !ok || ft.Kind() != reflect.Struct {
			continue
		}
		key := k.Value
		if path != "" {
			key = path + "." + key
		}
		switch {
		case v.Kind == yaml.MappingNode:
			errs = append(errs, sectionKinds(file, v, ft, key)...)
		case v.Kind == yaml.ScalarNode && (v.Tag == "!!null" || v.Value == ""):
			// an empty section: its defaults
		default:
			got := "a list"
			if v.Kind == yaml.ScalarNode {
				got = fmt.Sprintf("a single value (%s)", v.Value)
			}
			errs = append(errs, fmt.Errorf("%s:%d:%d: %s must be a mapping (key: value lines), not %s", file, v.Line, v.Column, key, got))
		}
	}
	return errs
}

// checkLog refuses a log level or format that the logger would silently
// take for its default.
func (c *Config) checkLog(file string) error {
	var errs []error
	switch strings.ToLower(c.Log.Level) {
	case "", "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Errorf("%s: log.level: %q must be debug, info, warn or error", where2(file, "log", "level"), c.Log.Level))
	}
	switch c.Log.Format {
	case "", "auto", "text", "json":
	default:
		errs = append(errs, fmt.Errorf("%s: log.format: %q must be auto, text or json", where2(file, "log", "format"), c.Log.Format))
	}
	return errors.Join(errs...)
}

// heapLimit is run.heap_limit in bytes (0: none): a size such as 200MiB,
// 1GB or 209715200.
func (c *Config) heapLimit() (int64, error) {
	s := strings.TrimSpace(c.Run.HeapLimit)
	if s == "" || s == "0" {
		return 0, nil
	}
	units := []struct {
		suffix string
		mult   int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"B", 1}}
	num, mult := s, int64(1)
	for _, u := range units {
		if strings.HasSuffix(s, u.suffix) {
			num, mult = strings.TrimSpace(strings.TrimSuffix(s, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n < 0 || n > math.MaxInt64/mult {
		return 0, fmt.Errorf("%s: run.heap_limit: %q must be a size such as 200MiB, 1GiB or 500MB (\"\" : none)", where2(c.File, "run", "heap_limit"), c.Run.HeapLimit)
	}
	return n * mult, nil
}

// applyHeapLimit sets Go's soft memory limit for runs of pipelines:
// run.heap_limit for each of the runs that may go at once, unless
// GOMEMLIMIT (read by the Go runtime at start) already set one. Without a
// limit the garbage collector lets the heap grow to twice what is live:
// the loads' spills bound what they hold, this bounds the rest.
func applyHeapLimit(c *Config, runs int, log *slog.Logger) {
	limit, err := c.heapLimit()
	if err != nil || limit == 0 || os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	limit *= int64(max(runs, 1))
	debug.SetMemoryLimit(limit)
	log.Debug("heap limit", "bytes", limit, "runs", runs)
}

// where2 is where a key of a section is set: file:line:column, KHO_<S>_<K>,
// or the built-in config.
func where2(file, section, key string) string {
	env := "KHO_" + strings.ToUpper(section+"_"+key)
	if os.Getenv(env) != "" {
		return env
	}
	if file != "" {
		if b, err := os.ReadFile(file); err == nil {
			return yamlpos.Parse(file, b).Pos(section, key)
		}
		return file
	}
	return "built-in config"
}
