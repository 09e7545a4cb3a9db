// KhoJdbc drives Kho's PostgreSQL wire port with the real pgjdbc driver, as
// DBeaver and Metabase do: DatabaseMetaData, Metabase's own catalog queries,
// prepared statements with parameters of every type, cursors, cancel. Each
// step prints tab-separated lines "step<TAB>value…", or "step<TAB>ERROR<TAB>
// sqlstate<TAB>message"; the Go test (jdbc_client_test.go) asserts on them.
//
// Usage: java -cp postgresql.jar:. KhoJdbc URL USER PASSWORD
import java.math.BigDecimal;
import java.sql.*;
import java.util.*;

public class KhoJdbc {
    interface Step { void run() throws Exception; }

    static void step(String name, Step s) {
        try {
            s.run();
        } catch (Throwable e) {
            String state = e instanceof SQLException ? ((SQLException) e).getSQLState() : e.getClass().getSimpleName();
            System.out.println(name + "\tERROR\t" + state + "\t" + String.valueOf(e.getMessage()).replace('\n', ' '));
        }
    }

    static void out(String name, Object... vals) {
        StringBuilder b = new StringBuilder(name);
        for (Object v : vals) b.append('\t').append(v);
        System.out.println(b);
    }

    static void rows(String name, ResultSet rs, String... cols) throws SQLException {
        int n = 0;
        while (rs.next()) {
            Object[] vals = new Object[cols.length];
            for (int i = 0; i < cols.length; i++) vals[i] = rs.getString(cols[i]);
            out(name, vals);
            n++;
        }
        rs.close();
        out(name + ".count", n);
    }

    public static void main(String[] args) throws Exception {
        Properties p = new Properties();
        p.setProperty("user", args[1]);
        p.setProperty("password", args[2]);
        p.setProperty("ApplicationName", "kho-jdbc-test");
        try (Connection c = DriverManager.getConnection(args[0], p)) {
            DatabaseMetaData dm = c.getMetaData();
            step("product", () -> out("product", dm.getDatabaseProductName(), dm.getDatabaseProductVersion(), dm.getDatabaseMajorVersion()));
            step("ssl", () -> { try (ResultSet rs = c.createStatement().executeQuery("SELECT 1 AS one")) { rs.next(); out("ssl", rs.getInt(1)); } });
            step("schemas", () -> rows("schemas", dm.getSchemas(), "TABLE_SCHEM"));
            step("tables", () -> rows("tables", dm.getTables(null, null, "%", new String[]{"TABLE", "VIEW"}), "TABLE_SCHEM", "TABLE_NAME", "TABLE_TYPE", "REMARKS"));
            step("columns", () -> rows("columns", dm.getColumns(null, "labour", "wage_reports", "%"), "COLUMN_NAME", "TYPE_NAME", "DATA_TYPE", "REMARKS"));
            step("pk", () -> rows("pk", dm.getPrimaryKeys(null, "labour", "wage_reports"), "COLUMN_NAME", "KEY_SEQ"));
            step("index", () -> rows("index", dm.getIndexInfo(null, "labour", "wage_reports", false, true), "INDEX_NAME", "COLUMN_NAME", "NON_UNIQUE"));
            step("bestrow", () -> rows("bestrow", dm.getBestRowIdentifier(null, "labour", "wage_reports", DatabaseMetaData.bestRowSession, true), "COLUMN_NAME", "TYPE_NAME"));
            step("imported", () -> rows("imported", dm.getImportedKeys(null, "labour", "wage_reports"), "FKCOLUMN_NAME"));
            step("exported", () -> rows("exported", dm.getExportedKeys(null, "labour", "wage_reports"), "PKCOLUMN_NAME"));
            step("keywords", () -> out("keywords", dm.getSQLKeywords().split(",").length, dm.getSQLKeywords().contains("ilike")));
            step("clientinfo", () -> rows("clientinfo", dm.getClientInfoProperties(), "NAME"));
            step("typeinfo", () -> rows("typeinfo", dm.getTypeInfo(), "TYPE_NAME", "DATA_TYPE"));
            step("functions", () -> rows("functions", dm.getFunctions(null, null, "upper"), "FUNCTION_NAME"));
            step("isolation", () -> out("isolation", dm.getDefaultTransactionIsolation()));

            // Metabase's table listing (driver/postgres.clj, get-tables-sql) and its
            // column query (describe-fields-sql), as Metabase sends them.
            step("metabase.tables", () -> {
                try (PreparedStatement ps = c.prepareStatement("SELECT \"n\".\"nspname\" AS \"schema\", \"c\".\"relname\" AS \"name\", CASE \"c\".\"relkind\" WHEN 'r' THEN 'TABLE' WHEN 'p' THEN 'PARTITIONED TABLE' WHEN 'v' THEN 'VIEW' WHEN 'f' THEN 'FOREIGN TABLE' WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE NULL END AS \"type\", \"d\".\"description\" AS \"description\", \"stat\".\"n_live_tup\" AS \"estimated_row_count\" FROM \"pg_catalog\".\"pg_class\" AS \"c\" INNER JOIN \"pg_catalog\".\"pg_namespace\" AS \"n\" ON \"c\".\"relnamespace\" = \"n\".\"oid\" LEFT JOIN \"pg_catalog\".\"pg_description\" AS \"d\" ON (\"c\".\"oid\" = \"d\".\"objoid\") AND (\"d\".\"objsubid\" = 0) AND (\"d\".\"classoid\" = 'pg_class'::regclass) LEFT JOIN \"pg_stat_user_tables\" AS \"stat\" ON (\"n\".\"nspname\" = \"stat\".\"schemaname\") AND (\"c\".\"relname\" = \"stat\".\"relname\") WHERE (\"c\".\"relnamespace\" = \"n\".\"oid\") AND (\"n\".\"nspname\" !~ '^pg_') AND (\"n\".\"nspname\" <> 'information_schema') AND c.relkind in ('r', 'p', 'v', 'f', 'm') AND (\"n\".\"nspname\" IN (?, ?)) ORDER BY \"type\" ASC, \"schema\" ASC, \"name\" ASC")) {
                    ps.setString(1, "labour");
                    ps.setString(2, "marts");
                    rows("metabase.tables", ps.executeQuery(), "schema", "name", "type");
                }
            });
            step("metabase.columns", () -> {
                try (PreparedStatement ps = c.prepareStatement("SELECT \"c\".\"column_name\" AS \"name\", CASE WHEN \"c\".\"udt_schema\" IN ('public', 'pg_catalog') THEN FORMAT('%s', \"c\".\"udt_name\") ELSE FORMAT('\"%s\".\"%s\"', \"c\".\"udt_schema\", \"c\".\"udt_name\") END AS \"database-type\", \"c\".\"ordinal_position\" - 1 AS \"database-position\", \"c\".\"table_schema\" AS \"table-schema\", \"c\".\"table_name\" AS \"table-name\", \"pk\".\"column_name\" IS NOT NULL AS \"pk?\", COL_DESCRIPTION(CAST(CAST(FORMAT('%I.%I', CAST(\"c\".\"table_schema\" AS TEXT), CAST(\"c\".\"table_name\" AS TEXT)) AS REGCLASS) AS OID), \"c\".\"ordinal_position\") AS \"field-comment\", ((\"column_default\" IS NULL) OR (LOWER(\"column_default\") = 'null')) AND (\"is_nullable\" = 'NO') AND NOT (((\"column_default\" IS NOT NULL) AND (\"column_default\" LIKE '%nextval(%')) OR (\"is_identity\" <> 'NO')) AS \"database-required\", ((\"column_default\" IS NOT NULL) AND (\"column_default\" LIKE '%nextval(%')) OR (\"is_identity\" <> 'NO') AS \"database-is-auto-increment\" FROM \"information_schema\".\"columns\" AS \"c\" LEFT JOIN (SELECT \"tc\".\"table_schema\", \"tc\".\"table_name\", \"kc\".\"column_name\" FROM \"information_schema\".\"table_constraints\" AS \"tc\" INNER JOIN \"information_schema\".\"key_column_usage\" AS \"kc\" ON (\"tc\".\"constraint_name\" = \"kc\".\"constraint_name\") AND (\"tc\".\"table_schema\" = \"kc\".\"table_schema\") AND (\"tc\".\"table_name\" = \"kc\".\"table_name\") WHERE \"tc\".\"constraint_type\" = 'PRIMARY KEY') AS \"pk\" ON (\"c\".\"table_schema\" = \"pk\".\"table_schema\") AND (\"c\".\"table_name\" = \"pk\".\"table_name\") AND (\"c\".\"column_name\" = \"pk\".\"column_name\") WHERE c.table_schema !~ '^information_schema|catalog_history|pg_' AND (\"c\".\"table_schema\" IN (?)) AND (\"c\".\"table_name\" IN (?)) ORDER BY \"table-schema\" ASC, \"table-name\" ASC, \"database-position\" ASC")) {
                    ps.setString(1, "labour");
                    ps.setString(2, "wage_reports");
                    rows("metabase.columns", ps.executeQuery(), "name", "database-type", "pk?", "field-comment");
                }
            });

            // The extended protocol.
            step("twocols", () -> {
                try (PreparedStatement ps = c.prepareStatement("select ? as a, 2 as b")) {
                    ps.setInt(1, 1);
                    rows("twocols", ps.executeQuery(), "a", "b");
                }
            });
            step("range", () -> {
                try (PreparedStatement ps = c.prepareStatement("SELECT count(*) AS n FROM range(?) a, range(?) b")) {
                    ps.setInt(1, 3);
                    ps.setInt(2, 3);
                    rows("range", ps.executeQuery(), "n");
                }
            });
            step("identity", () -> {
                try (ResultSet rs = c.createStatement().executeQuery("SELECT version() AS v, current_schema() AS s, current_database() AS d")) {
                    rs.next();
                    out("identity", rs.getString(1), rs.getString(2), rs.getString(3));
                }
            });
            step("interval", () -> {
                try (ResultSet rs = c.createStatement().executeQuery("SELECT INTERVAL '1 day 2 hours' AS i")) {
                    rs.next();
                    out("interval", rs.getMetaData().getColumnTypeName(1), rs.getString(1));
                }
            });
            step("rowlimit", () -> {
                try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT * FROM range(100000) t(i)")) {
                    int n = 0;
                    while (rs.next()) n++;
                    SQLWarning w = st.getWarnings();
                    if (w == null) w = rs.getWarnings();
                    out("rowlimit", n, w == null ? "no warning" : w.getMessage());
                }
            });
            step("rowlimit.prepared", () -> {
                try (PreparedStatement ps = c.prepareStatement("SELECT * FROM range(?) t(i)")) {
                    ps.setLong(1, 100000);
                    try (ResultSet rs = ps.executeQuery()) {
                        int n = 0;
                        while (rs.next()) n++;
                        SQLWarning w = ps.getWarnings();
                        if (w == null) w = rs.getWarnings();
                        out("rowlimit.prepared", n, w == null ? "no warning" : w.getMessage());
                    }
                }
            });
            step("metadata", () -> {
                try (PreparedStatement ps = c.prepareStatement("SELECT report_id, month, avg_wage_vnd FROM labour.wage_reports WHERE avg_wage_vnd > ?")) {
                    ResultSetMetaData md = ps.getMetaData();
                    for (int i = 1; i <= md.getColumnCount(); i++) out("metadata", md.getColumnName(i), md.getColumnTypeName(i));
                }
            });

            // Parameters of every type, sent as pgjdbc types them.
            step("params", () -> {
                Object[][] cases = {
                    {"boolean", true}, {"smallint", (short) 7}, {"integer", 42}, {"bigint", 9007199254740993L},
                    {"real", 1.5f}, {"double", 2.25d}, {"numeric", new BigDecimal("12345678901234.5678")},
                    {"text", "Sơn La – Mộc Châu"}, {"date", java.sql.Date.valueOf("2025-03-02")},
                    {"time", java.sql.Time.valueOf("13:45:10")}, {"timestamp", java.sql.Timestamp.valueOf("2025-03-02 13:45:10.123")},
                    {"uuid", UUID.fromString("0b9b6d2e-6f2a-4f4e-9a5e-2d7b1c9e8f01")}, {"bytea", new byte[]{1, 2, (byte) 255}},
                    {"null", null},
                };
                for (Object[] cs : cases) {
                    String name = (String) cs[0];
                    step("param." + name, () -> {
                        try (PreparedStatement ps = c.prepareStatement("SELECT ? AS v")) {
                            if (name.equals("bytea")) ps.setBytes(1, (byte[]) cs[1]);
                            else if (name.equals("null")) ps.setNull(1, Types.INTEGER);
                            else ps.setObject(1, cs[1]);
                            try (ResultSet rs = ps.executeQuery()) {
                                rs.next();
                                Object v = rs.getObject(1);
                                String s = v instanceof byte[] ? Arrays.toString((byte[]) v) : String.valueOf(v);
                                out("param." + name, s);
                            }
                        }
                    });
                }
            });
            // Parameters whose type the statement gives (PostgreSQL, like Kho,
            // reads an untyped date parameter as text).
            step("typed", () -> {
                try (PreparedStatement ps = c.prepareStatement("SELECT CAST(? AS DATE) AS d, CAST(? AS TIMESTAMP) AS ts, CAST(? AS TIME) AS t, CAST(? AS UUID) AS u, CAST(? AS DECIMAL(18,4)) AS n, CAST(? AS INTERVAL) AS i")) {
                    ps.setDate(1, java.sql.Date.valueOf("2025-03-02"));
                    ps.setTimestamp(2, java.sql.Timestamp.valueOf("2025-03-02 13:45:10.123"));
                    ps.setTime(3, java.sql.Time.valueOf("13:45:10"));
                    ps.setObject(4, UUID.fromString("0b9b6d2e-6f2a-4f4e-9a5e-2d7b1c9e8f01"));
                    ps.setBigDecimal(5, new BigDecimal("-1234.5678"));
                    ps.setString(6, "1 day");
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        ResultSetMetaData md = rs.getMetaData();
                        for (int i = 1; i <= md.getColumnCount(); i++) out("typed", md.getColumnTypeName(i), rs.getString(i));
                    }
                }
            });
            step("where", () -> {
                try (PreparedStatement ps = c.prepareStatement("SELECT report_id FROM labour.wage_reports WHERE month >= ? AND avg_wage_vnd > ? AND commune_code <> ? ORDER BY 1")) {
                    ps.setDate(1, java.sql.Date.valueOf("2000-01-01"));
                    ps.setLong(2, 0);
                    ps.setString(3, "none");
                    rows("where", ps.executeQuery(), "report_id");
                }
            });
            step("pii", () -> rows("pii", c.createStatement().executeQuery("SELECT contact_email FROM labour.wage_reports ORDER BY report_id"), "contact_email"));

            // A cursor: fetch size in a transaction.
            step("cursor", () -> {
                c.setAutoCommit(false);
                try (PreparedStatement ps = c.prepareStatement("SELECT i FROM range(?) t(i)")) {
                    ps.setFetchSize(100);
                    ps.setLong(1, 1000);
                    long n = 0, sum = 0;
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) { n++; sum += rs.getLong(1); }
                    }
                    out("cursor", n, sum);
                } finally {
                    c.commit();
                    c.setAutoCommit(true);
                }
            });
            // Cancel a long statement from another thread.
            step("cancel", () -> {
                try (Statement st = c.createStatement()) {
                    Thread t = new Thread(() -> { try { Thread.sleep(700); st.cancel(); } catch (Exception e) { } });
                    t.start();
                    long start = System.nanoTime();
                    try {
                        st.executeQuery("SELECT sum(a.range * b.range) FROM range(100000000) a, range(1000) b");
                        out("cancel", "not cancelled");
                    } catch (SQLException e) {
                        out("cancel", e.getSQLState(), (System.nanoTime() - start) / 1_000_000_000L < 30);
                    }
                    t.join();
                }
                try (ResultSet rs = c.createStatement().executeQuery("SELECT 2 AS after")) { rs.next(); out("cancel.after", rs.getInt(1)); }
            });
        }
        System.out.println("done");
    }
}
