"""Drives Kho's PostgreSQL wire port with psycopg 3 and SQLAlchemy's
PostgreSQL dialect (reflection as Superset, pandas and notebooks use it).
Each step prints "step<TAB>value..." or "step<TAB>ERROR<TAB>type<TAB>message";
the Go test (python_client_test.go) asserts on them.

Usage: python kho_clients.py HOST PORT DBNAME USER PASSWORD SSLMODE [SSLROOTCERT]
"""
import datetime
import decimal
import sys
import threading
import time
import uuid

import psycopg
import sqlalchemy
from sqlalchemy import inspect, text


def out(name, *vals):
    print("\t".join([name] + [str(v) for v in vals]), flush=True)


def step(name, fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - every failure is reported, the test decides
        msg = str(e).replace("\n", " ")
        out(name, "ERROR", type(e).__name__, msg)


def main():
    host, port, db, user, password, sslmode = sys.argv[1:7]
    root = sys.argv[7] if len(sys.argv) > 7 else ""
    kw = dict(host=host, port=port, dbname=db, user=user, password=password, sslmode=sslmode)
    if root:
        kw["sslrootcert"] = root
    out("versions", psycopg.__version__, sqlalchemy.__version__)

    notices = []
    with psycopg.connect(**kw, autocommit=True) as conn:
        conn.add_notice_handler(lambda d: notices.append(d.message_primary))
        out("server_version", conn.info.server_version)
        out("ssl", conn.pgconn.ssl_in_use)

        def count():
            cur = conn.execute("SELECT count(*) FROM labour.wage_reports WHERE avg_wage_vnd > %s AND month >= %s",
                               (0, datetime.date(2000, 1, 1)))
            out("count", cur.fetchone()[0])
        step("count", count)

        def params():
            vals = [True, 7, 9007199254740993, 2.25, decimal.Decimal("12345678901234.5678"), "Sơn La – Mộc Châu",
                    datetime.date(2025, 3, 2), datetime.datetime(2025, 3, 2, 13, 45, 10, 123000),
                    uuid.UUID("0b9b6d2e-6f2a-4f4e-9a5e-2d7b1c9e8f01"), b"\x01\x02\xff", None]
            for v in vals:
                row = conn.execute("SELECT %s AS v", (v,)).fetchone()
                out("param", type(v).__name__, repr(row[0]))
        step("param", params)

        def rows():
            for r in conn.execute("SELECT clinic_id, clinic_name, beds FROM health.clinics ORDER BY clinic_id"):
                out("rows", *r)
        step("rows", rows)

        def pii():
            for r in conn.execute("SELECT contact_email FROM labour.wage_reports ORDER BY report_id"):
                out("pii", r[0])
        step("pii", pii)

        def rowlimit():
            n = len(conn.execute("SELECT * FROM range(100000) t(i)").fetchall())
            out("rowlimit", n, notices[-1] if notices else "no notice")
        step("rowlimit", rowlimit)

        def identity():
            out("identity", *conn.execute("SELECT version(), current_schema(), current_database()").fetchone())
        step("identity", identity)

        # What the catalog shows of a table the token may not read (health's
        # visits, named here without its name, which must not reach the
        # output) beside one it may read (health.clinics): its columns in
        # pg_attribute, its oid, its comments.
        def hidden():
            for table in ("clinics", "vis" + "its"):
                seen = conn.execute(
                    "SELECT count(*) FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid"
                    " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
                    " WHERE n.nspname = 'health' AND c.relname = %s AND a.attnum > 0",
                    (table,)).fetchone()[0]
                oid = conn.execute("SELECT to_regclass(%s)", ("health." + table,)).fetchone()[0]
                described = conn.execute(
                    "SELECT count(*) FROM pg_catalog.pg_description d JOIN pg_catalog.pg_class c ON c.oid = d.objoid"
                    " WHERE c.relname = %s", (table,)).fetchone()[0]
                out("catalog.hidden", "readable" if table == "clinics" else "not readable", seen, oid is not None, described)
        step("catalog.hidden", hidden)

        def cancel():
            failed = []

            def later():
                time.sleep(0.7)
                try:
                    conn.cancel_safe()
                except Exception as e:  # reported as a step, not a thread's traceback
                    failed.append(f"{type(e).__name__}: {e}")
            t = threading.Thread(target=later)
            t.start()
            start = time.time()
            try:
                conn.execute("SELECT sum(a.range * b.range) FROM range(100000000) a, range(1000) b").fetchall()
                out("cancel", "not cancelled")
            except psycopg.errors.QueryCanceled as e:
                out("cancel", e.sqlstate, time.time() - start < 30)
            t.join()
            out("cancel.request", *(failed or ["ok"]))
            out("cancel.after", conn.execute("SELECT 2").fetchone()[0])
        step("cancel", cancel)

    # SQLAlchemy's PostgreSQL dialect on psycopg: reflection.
    query = {"sslmode": sslmode}
    if root:
        query["sslrootcert"] = root
    url = sqlalchemy.URL.create("postgresql+psycopg", username=user, password=password, host=host, port=int(port),
                                database=db, query=query)
    engine = sqlalchemy.create_engine(url)
    try:
        insp = inspect(engine)
        step("sa.schemas", lambda: out("sa.schemas", *sorted(insp.get_schema_names())))
        step("sa.tables", lambda: out("sa.tables", *sorted(insp.get_table_names(schema="labour"))))
        step("sa.views", lambda: out("sa.views", len(insp.get_view_names(schema="labour"))))

        def columns():
            for c in insp.get_columns("wage_reports", schema="labour"):
                out("sa.columns", c["name"], str(c["type"]), c["nullable"], c.get("comment"))
        step("sa.columns", columns)
        def hidden_columns():
            for table in ("clinics", "vis" + "its"):
                label = "readable" if table == "clinics" else "not readable"
                try:
                    out("sa.hidden", label, len(insp.get_columns(table, schema="health")))
                except sqlalchemy.exc.NoSuchTableError as e:
                    out("sa.hidden", label, type(e).__name__)
        step("sa.hidden", hidden_columns)
        step("sa.pk", lambda: out("sa.pk", *insp.get_pk_constraint("wage_reports", schema="labour")["constrained_columns"]))
        step("sa.fks", lambda: out("sa.fks", len(insp.get_foreign_keys("wage_reports", schema="labour"))))

        def indexes():
            ix = insp.get_indexes("wage_reports", schema="labour")
            out("sa.indexes", len(ix), *[i["name"] for i in ix])
        step("sa.indexes", indexes)
        step("sa.comment", lambda: out("sa.comment", insp.get_table_comment("wage_reports", schema="labour")["text"]))

        def select():
            with engine.connect() as c:
                r = c.execute(text("SELECT report_id FROM labour.wage_reports WHERE avg_wage_vnd > :v ORDER BY 1"), {"v": 0})
                out("sa.select", *[row[0] for row in r])
        step("sa.select", select)
    finally:
        engine.dispose()
    print("done", flush=True)


if __name__ == "__main__":
    main()
