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
//	-- key: agency_code, month
//	-- depends_on: admin_procedures.dossiers   (optional: tables in the SQL are found anyway)
//	-- test: not_null(a, b) | unique(a, b) | accepted_values(col, 'x', 'y') |
//	--       accepted_range(col, lo, hi) | reconcile(<aggregate over the mart>, <SELECT of one value>)
package marts
