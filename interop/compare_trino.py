"""Reads Kho's lake with Trino (its Iceberg connector on the JDBC catalog, as
docs/lakehouse.md configures it) and checks that it agrees with Kho, at the
current snapshot and at the oldest one of every table; then Trino deletes and
inserts rows of one table (Trino writes its own position-delete files) and
Kho's answers follow, and Kho's next run of that table's pipeline is read back
by Trino.

Usage: compare_trino.py --kho BIN --workdir DIR --catalog-uri PYICEBERG_URI
       --port PORT --write-table NS.TABLE --write-key COL --write-pipeline NAME

The column types used to compare values come from the table's Iceberg schema
(read with pyiceberg), as in compare_pyiceberg.py.
"""
import argparse
import collections
import subprocess
import sys
import time

import trino
from pyiceberg.catalog.sql import SqlCatalog

from compare_pyiceberg import canon, describe, kho_rows


def execute(cur, sql):
    """Runs sql, waiting while Trino has no worker yet: the coordinator says
    SERVER STARTED (and answers system tables) a moment before it schedules
    queries on itself (NO_NODES_AVAILABLE)."""
    for attempt in range(120):
        try:
            return cur.execute(sql)
        except trino.exceptions.TrinoQueryError as e:
            if e.error_name != "NO_NODES_AVAILABLE" or attempt == 119:
                raise
            time.sleep(1)


def trino_counter(cur, sql, cols, types):
    execute(cur, sql)
    names = [d[0] for d in cur.description]
    rows = [dict(zip(names, r)) for r in cur.fetchall()]
    return collections.Counter(tuple(canon(r[c], types[c]) for c in cols) for r in rows), len(rows)


def kho_counter(args, sql, cols, types):
    ans = kho_rows(args.kho, args.workdir, sql)
    return collections.Counter(tuple(canon(r.get(c), types[c]) for c in cols) for r in ans), len(ans)


def quoted(cols):
    return ", ".join('"' + c + '"' for c in cols)


def main():
    ap = argparse.ArgumentParser()
    for a in ("--kho", "--workdir", "--catalog-uri", "--port", "--write-table", "--write-key", "--write-pipeline"):
        ap.add_argument(a, required=True)
    args = ap.parse_args()

    catalog = SqlCatalog("kho", uri=args.catalog_uri)
    conn = trino.dbapi.connect(host="127.0.0.1", port=int(args.port), user="kho", catalog="kho")
    cur = conn.cursor()
    cur.execute("SELECT node_version FROM system.runtime.nodes")
    print(f"trino {cur.fetchall()[0][0]}", flush=True)
    problems, compared, total = [], 0, 0

    def schema_of(table, sid=None):
        schema = table.schema()
        if sid is not None:
            schema = table.metadata.schema_by_id(table.metadata.snapshot_by_id(sid).schema_id) or schema
        arrow = schema.as_arrow()
        return [f.name for f in arrow], {f.name: f.type for f in arrow}

    # 1. Trino reads every table as Kho does, now and at its oldest snapshot.
    for ns in sorted(catalog.list_namespaces()):
        for ident in sorted(catalog.list_tables(ns)):
            name = ".".join(ident)
            table = catalog.load_table(ident)
            current = table.metadata.current_snapshot_id
            if current is None:
                continue
            history = [h.snapshot_id for h in table.metadata.snapshot_log] or [current]
            wanted = [("current", None, name)]
            if history[0] != current:
                wanted.append((f"snapshot {history[0]}", history[0], f"{name}__snapshot_{history[0]}"))
            for label, sid, rel in wanted:
                cols, types = schema_of(table, sid)
                version = f" FOR VERSION AS OF {sid}" if sid is not None else ""
                left, n_left = trino_counter(cur, f"SELECT {quoted(cols)} FROM {name}{version}", cols, types)
                right, n = kho_counter(args, f"SELECT * FROM {rel}", cols, types)
                ok = left == right
                if not ok:
                    problems.append(describe(f"{name} ({label})", cols, left, right, n_left, n, "Trino"))
                compared += 1
                total += n_left
                print(f"  {'same' if ok else 'DIFF'}  {name:55s} {label:28s} {n_left:>8d} rows", flush=True)

    # 2. Trino writes: a DELETE (position-delete files of Trino's making) and
    # an INSERT under new keys; Kho's answer is Trino's after each.
    t, key = args.write_table, args.write_key
    table = catalog.load_table(tuple(t.split(".")))
    cols, types = schema_of(table)
    before = kho_rows(args.kho, args.workdir, f"SELECT count(*) AS n FROM {t}")[0]["n"]
    execute(cur, f'DELETE FROM {t} WHERE "{key}" IN (SELECT "{key}" FROM {t} ORDER BY "{key}" LIMIT 5)')
    cur.fetchall()
    select = ", ".join(f"concat('TRINO-', \"{c}\")" if c == key else f'"{c}"' for c in cols)
    execute(cur, f'INSERT INTO {t} SELECT {select} FROM {t} ORDER BY "{key}" LIMIT 3')
    cur.fetchall()
    left, n_left = trino_counter(cur, f"SELECT {quoted(cols)} FROM {t}", cols, types)
    right, n = kho_counter(args, f"SELECT * FROM {t}", cols, types)
    if left != right:
        problems.append(describe(f"{t} after Trino's DELETE and INSERT", cols, left, right, n_left, n, "Trino"))
    if n != before - 5 + 3:
        problems.append(f"{t}: Kho counts {n} rows after Trino deleted 5 of {before} and inserted 3")
    print(f"  trino delete 5, insert 3 on {t}: {before} -> {n} rows in Kho; {'same' if left == right else 'DIFF'} as Trino", flush=True)

    # 3. Kho's next run of the pipeline (an incremental merge) commits over
    # Trino's snapshot: Trino's rows stay, and Trino reads what Kho committed.
    run = subprocess.run([args.kho, "run", args.write_pipeline], cwd=args.workdir, capture_output=True, text=True)
    if run.returncode != 0:
        problems.append(f"kho run {args.write_pipeline} after Trino's writes failed: {run.stderr.strip()[-500:]}")
    left, n_left = trino_counter(cur, f"SELECT {quoted(cols)} FROM {t}", cols, types)
    right, n = kho_counter(args, f"SELECT * FROM {t}", cols, types)
    if left != right:
        problems.append(describe(f"{t} after Kho's run", cols, left, right, n_left, n, "Trino"))
    kept = kho_rows(args.kho, args.workdir, f"SELECT count(*) AS n FROM {t} WHERE {key} LIKE 'TRINO-%'")[0]["n"]
    if kept != 3:
        problems.append(f"{t}: {kept} of Trino's 3 rows left after kho run {args.write_pipeline}")
    print(f"  kho run {args.write_pipeline}: exit {run.returncode}; {n} rows; Trino's rows kept: {kept}; {'same' if left == right else 'DIFF'} as Trino", flush=True)

    print(f"trino: {compared} table snapshots compared, {total} rows, {len(problems)} differences")
    for p in problems:
        print("DIFF " + p, file=sys.stderr)
    sys.exit(1 if problems or compared == 0 else 0)


if __name__ == "__main__":
    main()
