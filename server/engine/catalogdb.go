package engine

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/sonla-data/kho/security/auth"
	"github.com/sonla-data/kho/security/sandbox"
)

// catalogSetup adds what psql, DBeaver and Metabase call and DuckDB's
// pg_catalog lacks. They are macros over constants: the catalog database has
// no data, no users, no files.
var catalogSetup = []string{
	"CREATE MACRO pg_get_userbyid(id) AS 'kho'",
	"CREATE MACRO pg_encoding_to_char(id) AS 'UTF8'",
	"CREATE MACRO pg_relation_size(id) AS 0",
	"CREATE MACRO pg_total_relation_size(id) AS 0",
	"CREATE MACRO pg_tablespace_location(id) AS ''",
	"CREATE MACRO pg_backend_pid() AS 0",
	// The key column of a primary key's index at a position, or the
	// statement that would create the index (kho_catalog.pg_index).
	`CREATE MACRO pg_get_indexdef(a, b := 0, c := false) AS (SELECT CASE WHEN b > 0 THEN k.constraint_column_names[b]
		ELSE 'CREATE UNIQUE INDEX ' || k.constraint_name || ' ON ' || k.schema_name || '.' || k.table_name || ' USING btree (' ||
		array_to_string(k.constraint_column_names, ', ') || ')' END
		FROM duckdb_constraints() k WHERE k.constraint_type = 'PRIMARY KEY' AND k.table_oid + 1000000000 = a)`,
	// information_schema._pg_expandarray (pgjdbc's primary keys and indexes):
	// an array's elements x with their positions n, one row each.
	"CREATE MACRO _pg_expandarray(a) AS unnest(list_transform(range(1, len(a) + 1), i -> {'x': a[i], 'n': i}))",
	// What PostgreSQL clients ask of the server: the version they pick their
	// queries by, the database they connected to (set on every connection of
	// the statement), the schema of unqualified names.
	"CREATE MACRO version() AS 'PostgreSQL " + ServerVersion + " (Kho, DuckDB) on x86_64-pc-linux-gnu'",
	// (DuckDB's own pg_catalog views call current_database() and
	// current_schema(): the wire server calls these in their place.)
	"CREATE MACRO kho_current_database() AS coalesce(getvariable('" + databaseVariable + "'), 'kho')",
	"CREATE MACRO kho_current_schema() AS 'public'",
	"CREATE MACRO pg_get_statisticsobjdef_columns(id) AS ''",
	"CREATE MACRO quote_ident(s) AS '\"' || replace(s, '\"', '\"\"') || '\"'",
	"CREATE MACRO array_upper(a, d) AS len(a)",
	"CREATE MACRO array_lower(a, d) AS CASE WHEN len(a) > 0 THEN 1 END",
	"CREATE MACRO pg_get_expr(a, b) AS CAST(NULL AS VARCHAR), (a, b, c) AS CAST(NULL AS VARCHAR)",
	"CREATE MACRO pg_table_size(id) AS 0",
	"CREATE MACRO pg_indexes_size(id) AS 0",
	"CREATE MACRO pg_relation_is_publishable(id) AS false",
	"CREATE MACRO pg_get_partkeydef(id) AS CAST(NULL AS VARCHAR)",
	"CREATE MACRO pg_get_triggerdef(id) AS CAST(NULL AS VARCHAR), (id, p) AS CAST(NULL AS VARCHAR)",
	"CREATE MACRO pg_get_ruledef(id) AS CAST(NULL AS VARCHAR), (id, p) AS CAST(NULL AS VARCHAR)",
	"CREATE MACRO pg_get_function_identity_arguments(id) AS ''",
	"CREATE MACRO pg_get_function_arguments(id) AS ''",
	"CREATE MACRO pg_get_function_result(id) AS ''",
	"CREATE MACRO pg_get_serial_sequence(t, c) AS CAST(NULL AS VARCHAR)",
	"CREATE MACRO pg_is_in_recovery() AS false",
	// PostgreSQL's oid alias types (SQLAlchemy's column query casts
	// attrelid AS REGCLASS): oids, numbers as in PostgreSQL. A name's oid is
	// to_regclass's (text cast to these types is refused, as DuckDB cannot
	// be taught a cast).
	"CREATE TYPE regclass AS BIGINT",
	"CREATE TYPE regtype AS BIGINT",
	"CREATE TYPE regproc AS BIGINT",
	"CREATE TYPE regprocedure AS BIGINT",
	"CREATE TYPE regnamespace AS BIGINT",
	"CREATE TYPE regrole AS BIGINT",
	// format_type of PostgreSQL's oids (kho_catalog.pg_attribute, pg_type).
	`CREATE MACRO format_type(t, m) AS CASE t WHEN 16 THEN 'boolean' WHEN 17 THEN 'bytea' WHEN 20 THEN 'bigint'
		WHEN 21 THEN 'smallint' WHEN 23 THEN 'integer' WHEN 25 THEN 'text' WHEN 114 THEN 'json' WHEN 700 THEN 'real'
		WHEN 701 THEN 'double precision' WHEN 1043 THEN 'character varying' WHEN 1082 THEN 'date'
		WHEN 1083 THEN 'time without time zone' WHEN 1114 THEN 'timestamp without time zone'
		WHEN 1184 THEN 'timestamp with time zone' WHEN 1186 THEN 'interval' WHEN 1266 THEN 'time with time zone'
		WHEN 2950 THEN 'uuid'
		WHEN 1700 THEN CASE WHEN m >= 4 THEN 'numeric(' || ((m - 4) >> 16) || ',' || ((m - 4) & 65535) || ')' ELSE 'numeric' END
		ELSE 'unknown' END`,
}

// CompatSchema holds, in the catalog databases, copies of the PostgreSQL
// catalog relations fuller than DuckDB's pg_catalog (the columns psql, pgjdbc
// and Metabase read), the ones DuckDB lacks (empty), and information_schema
// views without Kho's own schemas. Catalog statements read pg_catalog.<rel>
// and information_schema.<rel> there (compatRelocation).
const CompatSchema = "kho_catalog"

// The catalog databases' PostgreSQL identity: the version clients pick their
// catalog queries by (pgwire reports it too), the oid of pg_catalog, the
// DuckDB name of the catalog database (its file's) and the connection
// variable that holds the database name the client connected to.
const (
	ServerVersion    = "14.0"
	pgCatalogOID     = "11"
	catalogName      = "kho"
	databaseVariable = "kho_database"
)

// hidden are the catalog databases' own schemas, not shown to clients.
const hidden = "('kho_catalog', 'main')"

var compatSetup = []string{
	"CREATE SCHEMA " + CompatSchema,
	// DuckDB's pg_attribute holds its own type ids: PostgreSQL's oids and typmods here.
	`CREATE VIEW kho_catalog.pg_attribute AS SELECT * REPLACE (
		CASE atttypid WHEN 10 THEN 16 WHEN 11 THEN 21 WHEN 12 THEN 21 WHEN 13 THEN 23 WHEN 14 THEN 20 WHEN 15 THEN 1082
			WHEN 16 THEN 1083 WHEN 17 THEN 1114 WHEN 18 THEN 1114 WHEN 19 THEN 1114 WHEN 20 THEN 1114 WHEN 21 THEN 1700
			WHEN 22 THEN 700 WHEN 23 THEN 701 WHEN 24 THEN 25 WHEN 25 THEN 25 WHEN 26 THEN 17 WHEN 27 THEN 1186
			WHEN 28 THEN 21 WHEN 29 THEN 23 WHEN 30 THEN 20 WHEN 31 THEN 1700 WHEN 32 THEN 1184 WHEN 34 THEN 1266
			WHEN 49 THEN 1700 WHEN 50 THEN 1700 WHEN 54 THEN 2950 ELSE 25 END::BIGINT AS atttypid,
		CASE WHEN atttypid = 21 AND atttypmod > 0 THEN ((atttypmod // 1000) << 16 | (atttypmod % 1000)) + 4 ELSE -1 END::INTEGER AS atttypmod)
		FROM pg_catalog.pg_attribute`,
	`CREATE VIEW kho_catalog.pg_type AS SELECT v.oid::BIGINT AS oid, v.typname, ` + pgCatalogOID + `::BIGINT AS typnamespace,
		10::BIGINT AS typowner, v.typlen::SMALLINT AS typlen, v.typlen > 0 AS typbyval, 'b' AS typtype, v.typcategory,
		false AS typispreferred, true AS typisdefined, ',' AS typdelim, 0::BIGINT AS typrelid, NULL::VARCHAR AS typsubscript,
		0::BIGINT AS typelem, 0::BIGINT AS typarray, 0::BIGINT AS typinput, 0::BIGINT AS typoutput, 0::BIGINT AS typreceive,
		0::BIGINT AS typsend, 0::BIGINT AS typmodin, 0::BIGINT AS typmodout, 0::BIGINT AS typanalyze, 'i' AS typalign,
		'p' AS typstorage, false AS typnotnull, 0::BIGINT AS typbasetype, -1 AS typtypmod, 0 AS typndims,
		CASE WHEN v.typcategory = 'S' THEN 100 ELSE 0 END::BIGINT AS typcollation, NULL::VARCHAR AS typdefaultbin,
		NULL::VARCHAR AS typdefault, NULL::VARCHAR[] AS typacl
		FROM (VALUES (16, 'bool', 1, 'B'), (17, 'bytea', -1, 'U'), (20, 'int8', 8, 'N'), (21, 'int2', 2, 'N'), (23, 'int4', 4, 'N'),
			(25, 'text', -1, 'S'), (114, 'json', -1, 'U'), (700, 'float4', 4, 'N'), (701, 'float8', 8, 'N'),
			(1043, 'varchar', -1, 'S'), (1082, 'date', 4, 'D'), (1083, 'time', 8, 'D'), (1114, 'timestamp', 8, 'D'),
			(1184, 'timestamptz', 8, 'D'), (1186, 'interval', 16, 'T'), (1266, 'timetz', 12, 'D'), (1700, 'numeric', -1, 'N'),
			(2950, 'uuid', 16, 'U'), (18, 'char', 1, 'S'), (19, 'name', 64, 'S'), (26, 'oid', 4, 'N'), (1042, 'bpchar', -1, 'S'),
			(1005, '_int2', -1, 'A'), (1007, '_int4', -1, 'A'), (1016, '_int8', -1, 'A'), (1009, '_text', -1, 'A'),
			(1015, '_varchar', -1, 'A'), (1000, '_bool', -1, 'A'), (1021, '_float4', -1, 'A'), (1022, '_float8', -1, 'A'),
			(1231, '_numeric', -1, 'A'), (1182, '_date', -1, 'A'), (1115, '_timestamp', -1, 'A'), (1185, '_timestamptz', -1, 'A'),
			(2951, '_uuid', -1, 'A')) v(oid, typname, typlen, typcategory)`,
	// PostgreSQL's own schemas beside the lake's: pg_catalog holds the types
	// and functions, public is the schema of unqualified names (empty).
	`CREATE VIEW kho_catalog.pg_namespace AS SELECT * FROM pg_catalog.pg_namespace WHERE nspname NOT IN ` + hidden + `
		UNION ALL SELECT ` + pgCatalogOID + `, 'pg_catalog', 10, NULL UNION ALL SELECT 2200, 'public', 10, NULL`,
	// The tables, and an index for each primary key (a dataset's key).
	`CREATE VIEW kho_catalog.pg_class AS SELECT * REPLACE (CAST(NULL AS VARCHAR[]) AS reloptions, relhaspkey AS relhasindex), false AS relforcerowsecurity
		FROM pg_catalog.pg_class WHERE relnamespace NOT IN (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname IN ` + hidden + `)
		UNION ALL BY NAME SELECT table_oid + 1000000000 AS oid, constraint_name AS relname, schema_oid AS relnamespace,
			0 AS reltype, 10 AS relowner, 403 AS relam, 0 AS relpages, 0::FLOAT AS reltuples, false AS relhasindex,
			false AS relisshared, 'p' AS relpersistence, 'i' AS relkind, len(constraint_column_indexes) AS relnatts, 0 AS relchecks,
			false AS relhasrules, false AS relhastriggers, false AS relhassubclass, false AS relrowsecurity, true AS relispopulated,
			false AS relispartition, false AS relforcerowsecurity
		FROM duckdb_constraints() WHERE constraint_type = 'PRIMARY KEY' AND schema_name NOT IN ` + hidden,
	`CREATE VIEW kho_catalog.pg_index AS SELECT table_oid + 1000000000 AS indexrelid, table_oid AS indrelid,
		len(constraint_column_indexes)::SMALLINT AS indnatts, len(constraint_column_indexes)::SMALLINT AS indnkeyatts,
		true AS indisunique, false AS indnullsnotdistinct, true AS indisprimary, false AS indisexclusion, true AS indimmediate,
		false AS indisclustered, true AS indisvalid, false AS indcheckxmin, true AS indisready, true AS indislive,
		false AS indisreplident, list_transform(constraint_column_indexes, i -> (i + 1)::SMALLINT) AS indkey,
		list_transform(constraint_column_indexes, i -> 0::BIGINT) AS indcollation,
		list_transform(constraint_column_indexes, i -> 0::BIGINT) AS indclass,
		list_transform(constraint_column_indexes, i -> 0::SMALLINT) AS indoption, NULL::VARCHAR AS indexprs, NULL::VARCHAR AS indpred
		FROM duckdb_constraints() WHERE constraint_type = 'PRIMARY KEY' AND schema_name NOT IN ` + hidden,
	`CREATE VIEW kho_catalog.pg_constraint AS SELECT table_oid * 1000000 + constraint_index AS oid, constraint_name AS conname,
		schema_oid AS connamespace, 'p' AS contype, false AS condeferrable, false AS condeferred, true AS convalidated,
		table_oid AS conrelid, 0::BIGINT AS contypid, table_oid + 1000000000 AS conindid, 0::BIGINT AS conparentid,
		0::BIGINT AS confrelid, ' ' AS confupdtype, ' ' AS confdeltype, ' ' AS confmatchtype, true AS conislocal,
		0 AS coninhcount, true AS connoinherit, list_transform(constraint_column_indexes, i -> (i + 1)::SMALLINT) AS conkey,
		NULL::SMALLINT[] AS confkey, NULL::BIGINT[] AS conpfeqop, NULL::BIGINT[] AS conppeqop, NULL::BIGINT[] AS conffeqop,
		NULL::SMALLINT[] AS conexclop, NULL::VARCHAR AS conbin
		FROM duckdb_constraints() WHERE constraint_type = 'PRIMARY KEY' AND schema_name NOT IN ` + hidden,
	"CREATE TABLE kho_catalog.pg_am (oid BIGINT, amname VARCHAR, amhandler BIGINT, amtype VARCHAR)",
	"INSERT INTO kho_catalog.pg_am VALUES (403, 'btree', 330, 'i')",
	// pg_get_keywords() (pgjdbc's getSQLKeywords), read as a relation (the
	// wire server rewrites the call).
	`CREATE TABLE kho_catalog.pg_get_keywords AS SELECT keyword_name AS word,
		CASE keyword_category WHEN 'reserved' THEN 'R' WHEN 'type_function' THEN 'T' WHEN 'column_name' THEN 'C' ELSE 'U' END AS catcode,
		false AS barelabel, keyword_category AS catdesc, keyword_category AS baredesc FROM duckdb_keywords()`,
	`CREATE VIEW kho_catalog.pg_tables AS SELECT * FROM pg_catalog.pg_tables WHERE schemaname NOT IN ` + hidden,
	`CREATE VIEW kho_catalog.pg_views AS SELECT * FROM pg_catalog.pg_views WHERE schemaname NOT IN ` + hidden,
	`CREATE VIEW kho_catalog.pg_database AS SELECT * REPLACE (kho_current_database() AS datname), 0::BIGINT AS datdba, 6 AS encoding,
		'C.UTF-8' AS datcollate, 'C.UTF-8' AS datctype, 'c' AS datlocprovider, NULL::VARCHAR AS daticulocale,
		NULL::VARCHAR[] AS datacl, -1 AS datconnlimit, 0::BIGINT AS dattablespace FROM pg_catalog.pg_database WHERE datname = '` + catalogName + `'`,
	"CREATE TABLE kho_catalog.pg_collation (oid BIGINT, collname VARCHAR, collnamespace BIGINT, collprovider VARCHAR, collcollate VARCHAR, collctype VARCHAR)",
	"CREATE TABLE kho_catalog.pg_inherits (inhrelid BIGINT, inhparent BIGINT, inhseqno INTEGER, inhdetachpending BOOLEAN)",
	"CREATE TABLE kho_catalog.pg_policy (oid BIGINT, polname VARCHAR, polrelid BIGINT, polcmd VARCHAR, polpermissive BOOLEAN, polroles BIGINT[], polqual VARCHAR, polwithcheck VARCHAR)",
	"CREATE TABLE kho_catalog.pg_statistic_ext (oid BIGINT, stxrelid BIGINT, stxname VARCHAR, stxnamespace BIGINT, stxowner BIGINT, stxstattarget INTEGER, stxkeys INTEGER[], stxkind VARCHAR[], stxexprs VARCHAR)",
	"CREATE TABLE kho_catalog.pg_publication (oid BIGINT, pubname VARCHAR, pubowner BIGINT, puballtables BOOLEAN, pubinsert BOOLEAN, pubupdate BOOLEAN, pubdelete BOOLEAN, pubtruncate BOOLEAN, pubviaroot BOOLEAN)",
	"CREATE TABLE kho_catalog.pg_publication_rel (oid BIGINT, prpubid BIGINT, prrelid BIGINT, prqual VARCHAR, prattrs INTEGER[])",
	"CREATE TABLE kho_catalog.pg_trigger (oid BIGINT, tgrelid BIGINT, tgparentid BIGINT, tgname VARCHAR, tgfoid BIGINT, tgtype INTEGER, tgenabled VARCHAR, tgisinternal BOOLEAN, tgconstraint BIGINT)",
	"CREATE TABLE kho_catalog.pg_rewrite (oid BIGINT, rulename VARCHAR, ev_class BIGINT, ev_type VARCHAR, ev_enabled VARCHAR, is_instead BOOLEAN)",
	"CREATE TABLE kho_catalog.pg_foreign_table (ftrelid BIGINT, ftserver BIGINT, ftoptions VARCHAR[])",
	"CREATE TABLE kho_catalog.pg_partitioned_table (partrelid BIGINT, partstrat VARCHAR, partnatts SMALLINT, partdefid BIGINT)",
	`CREATE VIEW kho_catalog.pg_roles AS SELECT 'kho' AS rolname, 10::BIGINT AS oid, false AS rolsuper, true AS rolinherit,
		false AS rolcreaterole, false AS rolcreatedb, true AS rolcanlogin, false AS rolreplication, -1 AS rolconnlimit,
		NULL::TIMESTAMP AS rolvaliduntil, false AS rolbypassrls, NULL::VARCHAR[] AS rolconfig`,
	"CREATE VIEW kho_catalog.pg_user AS SELECT 'kho' AS usename, 10::BIGINT AS usesysid, false AS usecreatedb, false AS usesuper, false AS userepl, false AS usebypassrls",
	"CREATE TABLE kho_catalog.pg_extension (oid BIGINT, extname VARCHAR, extowner BIGINT, extnamespace BIGINT, extrelocatable BOOLEAN, extversion VARCHAR)",
	"CREATE TABLE kho_catalog.pg_matviews (schemaname VARCHAR, matviewname VARCHAR, matviewowner VARCHAR, definition VARCHAR)",
	"CREATE TABLE kho_catalog.pg_range (rngtypid BIGINT, rngsubtype BIGINT)",
	"CREATE TABLE kho_catalog.pg_opclass (oid BIGINT, opcmethod BIGINT, opcname VARCHAR, opcnamespace BIGINT, opcowner BIGINT, opcfamily BIGINT, opcintype BIGINT, opcdefault BOOLEAN, opckeytype BIGINT)",
	// The lake's schemas the token may read (those of the catalog database,
	// whose DuckDB name is catalogName), and PostgreSQL's own, as
	// pg_namespace lists them.
	`CREATE VIEW kho_catalog.schemata AS SELECT * REPLACE (kho_current_database() AS catalog_name, 'kho' AS schema_owner)
		FROM information_schema.schemata WHERE catalog_name = '` + catalogName + `' AND schema_name NOT IN ` + hidden + `
		UNION ALL BY NAME SELECT kho_current_database() AS catalog_name, s AS schema_name, 'kho' AS schema_owner
		FROM (VALUES ('pg_catalog'), ('public')) v(s)`,
	"CREATE VIEW kho_catalog.tables AS SELECT * REPLACE (kho_current_database() AS table_catalog) FROM information_schema.tables WHERE table_catalog = '" + catalogName + "' AND table_schema NOT IN " + hidden,
	// udt_name is the PostgreSQL type's name (Metabase reads the type there).
	`CREATE VIEW kho_catalog.columns AS SELECT * REPLACE (kho_current_database() AS table_catalog, kho_current_database() AS udt_catalog, 'pg_catalog' AS udt_schema,
		CASE WHEN data_type LIKE 'DECIMAL%' THEN 'numeric' WHEN data_type LIKE 'TIMESTAMP WITH TIME ZONE' THEN 'timestamptz'
			WHEN data_type LIKE 'TIMESTAMP%' THEN 'timestamp' ELSE CASE data_type WHEN 'BOOLEAN' THEN 'bool' WHEN 'TINYINT' THEN 'int2'
			WHEN 'SMALLINT' THEN 'int2' WHEN 'INTEGER' THEN 'int4' WHEN 'BIGINT' THEN 'int8' WHEN 'HUGEINT' THEN 'numeric'
			WHEN 'FLOAT' THEN 'float4' WHEN 'DOUBLE' THEN 'float8' WHEN 'DATE' THEN 'date' WHEN 'TIME' THEN 'time'
			WHEN 'INTERVAL' THEN 'interval' WHEN 'UUID' THEN 'uuid' WHEN 'BLOB' THEN 'bytea' WHEN 'JSON' THEN 'json'
			ELSE 'text' END END AS udt_name)
		FROM information_schema.columns WHERE table_catalog = '` + catalogName + `' AND table_schema NOT IN ` + hidden,
	"CREATE VIEW kho_catalog.views AS SELECT * FROM information_schema.views WHERE table_schema NOT IN " + hidden,
	// The comments of the tables and columns (their labels, Vietnamese
	// first), as pg_description holds them: classoid is pg_class's oid
	// (1259), objsubid the column's number (0 for the table).
	`CREATE VIEW kho_catalog.pg_description AS SELECT table_oid AS objoid, 1259::BIGINT AS classoid, 0 AS objsubid, comment AS description
		FROM duckdb_tables() WHERE database_name = '` + catalogName + `' AND schema_name NOT IN ` + hidden + ` AND comment IS NOT NULL
		UNION ALL SELECT table_oid, 1259::BIGINT, column_index, comment FROM duckdb_columns()
		WHERE database_name = '` + catalogName + `' AND schema_name NOT IN ` + hidden + ` AND comment IS NOT NULL`,
	// to_regclass('labour.wage_reports'), to_regclass('pg_catalog.pg_class'):
	// a relation's oid by its name, schema-qualified (unqualified names are
	// looked up in pg_catalog, then public, which is empty), quoted or not;
	// PostgreSQL's oids for the catalog relations whose oid clients compare
	// pg_description.classoid with. NULL for a name the token cannot see.
	`CREATE MACRO to_regclass(regname) AS (SELECT CASE WHEN lower(replace(CAST(regname AS VARCHAR), '"', '')) IN ('pg_class', 'pg_catalog.pg_class') THEN 1259
			WHEN lower(replace(CAST(regname AS VARCHAR), '"', '')) IN ('pg_constraint', 'pg_catalog.pg_constraint') THEN 2606
			WHEN lower(replace(CAST(regname AS VARCHAR), '"', '')) IN ('pg_namespace', 'pg_catalog.pg_namespace') THEN 2615
			WHEN lower(replace(CAST(regname AS VARCHAR), '"', '')) IN ('pg_proc', 'pg_catalog.pg_proc') THEN 1255
			WHEN lower(replace(CAST(regname AS VARCHAR), '"', '')) IN ('pg_type', 'pg_catalog.pg_type') THEN 1247
			ELSE (SELECT any_value(c.oid) FROM kho_catalog.pg_class c JOIN kho_catalog.pg_namespace s ON s.oid = c.relnamespace
				WHERE s.nspname || '.' || c.relname = replace(CAST(regname AS VARCHAR), '"', '')) END::BIGINT)`,
	// The comments of a column and of a relation (Metabase's field-comment,
	// psql's \dt+), from pg_description (DuckDB's answer NULL).
	`CREATE MACRO col_description(relation_oid, column_number) AS (SELECT any_value(d.description) FROM kho_catalog.pg_description d
		WHERE d.objoid = relation_oid AND d.objsubid = column_number)`,
	`CREATE MACRO obj_description(object_oid, class_name := 'pg_class') AS (SELECT any_value(d.description) FROM kho_catalog.pg_description d
		WHERE d.objoid = object_oid AND d.objsubid = 0 AND lower(CAST(class_name AS VARCHAR)) IN ('pg_class', 'pg_catalog.pg_class'))`,
	// to_regtype('hstore'): a type's oid by name (psycopg's TypeInfo.fetch).
	"CREATE MACRO to_regtype(n) AS (SELECT any_value(t.oid) FROM kho_catalog.pg_type t WHERE t.typname = lower(CAST(n AS VARCHAR)))",
}

// compatRelations are the relations of CompatSchema.
var compatRelations = []string{"pg_attribute", "pg_type", "pg_namespace", "pg_class", "pg_index", "pg_constraint", "pg_am",
	"pg_get_keywords", "pg_proc", "pg_opclass", "pg_stat_user_tables", "pg_tables", "pg_views", "pg_database", "pg_collation",
	"pg_inherits", "pg_policy", "pg_statistic_ext", "pg_publication", "pg_publication_rel", "pg_trigger", "pg_rewrite",
	"pg_foreign_table", "pg_partitioned_table", "pg_roles", "pg_user", "pg_extension", "pg_matviews", "pg_range",
	"pg_description", "schemata", "tables", "columns", "views"}

// compatRelocation points a catalog statement's pg_catalog and
// information_schema relations at CompatSchema; the sandbox rewrites the
// statement where its parsed tree places them and checks the result again
// (sandbox.Checker.Relocate).
var compatRelocation = sandbox.Relocation{Schemas: []string{"pg_catalog", "information_schema"},
	Relations: relationSet(compatRelations), To: CompatSchema, Unqualified: true}

func relationSet(names []string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// catalogDB is the catalog database of one profile.
type catalogDB struct {
	db     *database
	key    string
	refs   int
	closed bool
}

// catalogCache keeps the catalog databases of the latest profiles.
type catalogCache struct {
	mu    sync.Mutex
	max   int
	order []*catalogDB // least recently used first
}

func newCatalogCache(max int) *catalogCache { return &catalogCache{max: max} }

func (c *catalogCache) get(key string) *catalogDB {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, cd := range c.order {
		if cd.key == key {
			c.order = append(append(c.order[:i:i], c.order[i+1:]...), cd)
			cd.refs++
			return cd
		}
	}
	return nil
}

func (c *catalogCache) put(cd *catalogDB) {
	c.mu.Lock()
	defer c.mu.Unlock()
	cd.refs++
	c.order = append(c.order, cd)
	for len(c.order) > c.max {
		old := c.order[0]
		c.order = c.order[1:]
		old.closed = true
		if old.refs == 0 {
			old.db.close()
		}
	}
}

func (c *catalogCache) release(cd *catalogDB) {
	c.mu.Lock()
	defer c.mu.Unlock()
	cd.refs--
	if cd.refs == 0 && cd.closed {
		cd.db.close()
	}
}

func (c *catalogCache) close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	var errs []error
	for _, cd := range c.order {
		errs = append(errs, cd.db.close())
	}
	c.order = nil
	return errors.Join(errs...)
}

// catalogFor returns the catalog database of p's profile, building it when
// needed: for each object p may read, an empty table with the columns (and
// types) p sees, commented with its labels.
func (e *Engine) catalogFor(ctx context.Context, p auth.Principal) (*database, func(), error) {
	e.mu.RLock()
	gen := e.gen
	e.mu.RUnlock()
	// The key holds the snapshots of the objects p may read: the catalog
	// is built again when one of them has new rows (pg_stat_user_tables'
	// counts), not only when a table or a column comes or goes (gen).
	objects := e.Objects(p)
	snaps := fnv.New64a()
	for _, o := range objects {
		fmt.Fprintf(snaps, "%s|%d|%d\n", o.Name, o.SnapshotID, o.Rows)
	}
	key := fmt.Sprintf("%d|%s|%x", gen, p.Profile(), snaps.Sum64())
	if cd := e.catalogs.get(key); cd != nil {
		return cd.db, func() { e.catalogs.release(cd) }, nil
	}
	setup := append(append([]string{}, catalogSetup...), compatSetup...)
	setup = append(setup, procSetup()...)
	schemas := map[string]bool{}
	var stats []string
	for _, o := range objects {
		if !schemas[o.Schema()] {
			schemas[o.Schema()] = true
			setup = append(setup, "CREATE SCHEMA "+Ident(o.Schema()))
		}
		cols := make([]string, len(o.Columns))
		for i, c := range o.Columns {
			cols[i] = Ident(c.Name) + " " + c.TypeFor(p)
		}
		name := Ident(o.Schema()) + "." + Ident(o.Table())
		// A dataset's key is shown as its primary key (DBeaver and Metabase
		// identify rows by it).
		if key := keyColumns(o); len(key) > 0 {
			cols = append(cols, "PRIMARY KEY ("+strings.Join(key, ", ")+")")
		}
		setup = append(setup, "CREATE TABLE "+name+" ("+strings.Join(cols, ", ")+")")
		stats = append(stats, fmt.Sprintf("(%s, %s, %d)", quote(o.Schema()), quote(o.Table()), o.Rows))
		if label := strings.TrimSpace(o.Label + " / " + o.LabelEN); label != "/" {
			setup = append(setup, "COMMENT ON TABLE "+name+" IS "+quote(label))
		}
		for _, c := range o.Columns {
			if c.Label != "" || c.PII != "" {
				text := strings.TrimSpace(c.Label + " / " + c.LabelEN)
				if c.PII != "" && !p.PII {
					text += " (đã che / masked: " + c.PII + ")"
				}
				setup = append(setup, "COMMENT ON COLUMN "+name+"."+Ident(c.Name)+" IS "+quote(text))
			}
		}
	}
	// The live rows of each table p may read, as of the catalog's build
	// (Metabase's table listing reads them as its row estimate).
	stat := `CREATE VIEW kho_catalog.pg_stat_user_tables AS SELECT c.oid AS relid, s.schemaname, s.relname, 0::BIGINT AS seq_scan,
		0::BIGINT AS seq_tup_read, 0::BIGINT AS idx_scan, 0::BIGINT AS idx_tup_fetch, 0::BIGINT AS n_tup_ins, 0::BIGINT AS n_tup_upd,
		0::BIGINT AS n_tup_del, 0::BIGINT AS n_tup_hot_upd, s.n_live_tup::BIGINT AS n_live_tup, 0::BIGINT AS n_dead_tup,
		NULL::TIMESTAMPTZ AS last_vacuum, NULL::TIMESTAMPTZ AS last_autovacuum, NULL::TIMESTAMPTZ AS last_analyze,
		NULL::TIMESTAMPTZ AS last_autoanalyze FROM (VALUES ('', '', 0)) s(schemaname, relname, n_live_tup)
		JOIN pg_catalog.pg_class c ON c.relname = s.relname JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace AND n.nspname = s.schemaname`
	if len(stats) > 0 {
		stat = strings.Replace(stat, "(VALUES ('', '', 0))", "(VALUES "+strings.Join(stats, ", ")+")", 1)
	}
	setup = append(setup, stat)
	// Shared by the profile's statements: one cancelled does not stop it.
	db, err := e.openCatalog(context.WithoutCancel(ctx), setup)
	if err != nil {
		return nil, nil, fmt.Errorf("building the catalog database: %w", err)
	}
	cd := &catalogDB{db: db, key: key}
	e.catalogs.put(cd)
	return cd.db, func() { e.catalogs.release(cd) }, nil
}

// openCatalog builds a catalog database from setup: written to a file, then
// opened read-only, with no folder it may read or write (no spilling) and a
// fresh connection for every statement, so that nothing a statement does
// outlives it. The file is removed once open (DuckDB keeps reading it).
func (e *Engine) openCatalog(ctx context.Context, setup []string) (*database, error) {
	base := e.opt.TempDir
	if base != "" {
		if err := os.MkdirAll(base, 0o700); err != nil {
			return nil, err
		}
	}
	dir, err := os.MkdirTemp(base, "catalog-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, catalogName+".duckdb")
	if err := buildCatalogFile(ctx, path, setup); err != nil {
		return nil, err
	}
	return openDatabase(ctx, dbConfig{MemoryLimit: "64MB", Threads: 1, MaxConns: 4, Path: path, FreshConns: true})
}

func buildCatalogFile(ctx context.Context, path string, setup []string) error {
	conn, err := duckdb.NewConnector(path, nil)
	if err != nil {
		return fmt.Errorf("starting DuckDB: %w", err)
	}
	db := sql.OpenDB(conn)
	db.SetMaxOpenConns(1)
	stmts := append([]string{"SET temp_directory = ''", "SET enable_external_access = false", "SET lock_configuration = true", "BEGIN"}, setup...)
	stmts = append(stmts, "COMMIT", "CHECKPOINT")
	for _, s := range stmts {
		if _, err := db.ExecContext(ctx, s); err != nil {
			return errors.Join(fmt.Errorf("(%s): %w", s, err), db.Close(), conn.Close())
		}
	}
	return errors.Join(db.Close(), conn.Close())
}

// keyColumns are the quoted key columns of o, when every one is a column.
func keyColumns(o *Object) []string {
	var out []string
	for _, k := range o.Key {
		if _, ok := o.Column(k); !ok {
			return nil
		}
		out = append(out, Ident(k))
	}
	return out
}

// procSetup lists, as pg_proc in pg_catalog, the functions a statement may
// call (the sandbox's allow-list): what DBeaver shows under Functions.
func procSetup() []string {
	names := sandbox.DataFunctions()
	sort.Strings(names)
	vals := make([]string, 0, len(names))
	for i, n := range names {
		vals = append(vals, fmt.Sprintf("(%d, %s)", 100000+i, quote(n)))
	}
	return []string{`CREATE TABLE kho_catalog.pg_proc AS SELECT v.oid::BIGINT AS oid, v.proname, ` + pgCatalogOID + `::BIGINT AS pronamespace,
		10::BIGINT AS proowner, 12::BIGINT AS prolang, 1::FLOAT AS procost, 0::FLOAT AS prorows, 0::BIGINT AS provariadic,
		0::BIGINT AS prosupport, 'f' AS prokind, false AS prosecdef, false AS proleakproof, false AS proisstrict, false AS proretset,
		'i' AS provolatile, 's' AS proparallel, 0::SMALLINT AS pronargs, 0::SMALLINT AS pronargdefaults, 25::BIGINT AS prorettype,
		[]::BIGINT[] AS proargtypes, NULL::BIGINT[] AS proallargtypes, NULL::VARCHAR[] AS proargmodes, NULL::VARCHAR[] AS proargnames,
		NULL::VARCHAR AS proargdefaults, NULL::BIGINT[] AS protrftypes, v.proname AS prosrc, NULL::VARCHAR AS probin,
		NULL::VARCHAR AS prosqlbody, NULL::VARCHAR[] AS proconfig, NULL::VARCHAR[] AS proacl
		FROM (VALUES ` + strings.Join(vals, ", ") + `) v(oid, proname)`}
}
