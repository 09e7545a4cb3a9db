// Package marts builds the leadership marts of sql/marts/*.sql: it reads each
// file's header (label, key, depends_on, tests), orders the marts by their
// dependencies (declared or found in the SQL), materialises each as an Iceberg
// table in the marts namespace and runs its tests, which fail the build.
//
// A mart file starts with comment lines of the form "-- key: value":
//
//	-- mart: dossier_kpi_monthly          (the file's name without .sql)
//	-- label: Vietnamese label
//	-- label_en: English label
//	-- description: free text, continued on lines that start with "--   "
//	-- description_vi: the same in Vietnamese (the Vietnamese pages show it)
//	-- key: agency_code, month
//	-- depends_on: admin_procedures.dossiers   (optional: tables in the SQL are found anyway)
//	-- test: not_null(a, b) | unique(a, b) | accepted_values(col, 'x', 'y') |
//	--       accepted_range(col, lo, hi) | reconcile(<aggregate over the mart>, <SELECT of one value>) |
//	--       assert(<condition every row meets>) | row_count(min[, max]) |
//	--       relationships(col, namespace.table, col2)
//	-- figure: crop_area_ha = sum | crop_yield_t_per_ha = crop_output_tonnes / crop_area_ha |
//	--       cement_price_vnd_t = none     (how the dashboard may add a column up over rows)
//	-- column: crop_area_ha = Diện tích gieo trồng (ha) | Crop area (ha)   (a column's labels)
//
// A mart that has figure lines must declare every numeric column outside its
// key, and a sector mart (sector_*) must have them: the build fails
// otherwise, so that the dashboard never adds up a ratio. A sector mart also
// labels every figure it shows ("-- column:"), for the dashboard shows a
// figure by its label in the reader's language, never by its name; a label
// must name a column the mart has.
//
// A mart is built when the snapshots of the tables it reads changed since
// its last build (recorded in its snapshot summary as kho.inputs, with a
// hash of its SQL as kho.sql_hash), or always when it is volatile: it reads
// the lake's metadata (kho.tables, kho.snapshots) or the clock. Builds take
// the mart table's single-writer lock.
package marts
