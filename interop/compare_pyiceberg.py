"""Reads every table of a Kho lake with pyiceberg and compares it, row for row,
with what Kho's DuckDB views answer for the same snapshot.

Usage: compare_pyiceberg.py --kho BIN --workdir DIR --catalog-uri URI [--snapshots all|current]

The catalog is Kho's Iceberg JDBC catalog (SQLite file or PostgreSQL), opened as
pyiceberg's SqlCatalog named "kho". Kho is asked through `kho query -f json`
run in DIR (its kho.yaml or built-in defaults). Values are compared after
reading both sides into the column's Iceberg type (a decimal as a Decimal, a
timestamp as an instant), so a difference of printing is not a difference of
data, and any difference of value is.
"""
import argparse
import collections
import datetime as dt
import decimal
import json
import subprocess
import sys

import pyarrow as pa
from pyiceberg.catalog.sql import SqlCatalog


def kho_rows(kho, workdir, sql):
    out = subprocess.run([kho, "query", "-f", "json", sql], cwd=workdir, capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"kho query {sql!r}: {out.stderr.strip()}")
    text = out.stdout.strip()
    # Numbers as decimals: a DECIMAL(38,10) must not pass through a float.
    return json.loads(text, parse_float=decimal.Decimal) if text else []


def canon(value, typ):
    """The comparable form of value (from pyiceberg or from Kho's JSON) of Arrow type typ."""
    if value is None:
        return None
    if pa.types.is_decimal(typ):
        return str(decimal.Decimal(str(value)).normalize())
    if pa.types.is_integer(typ):
        return int(value)
    if pa.types.is_floating(typ):
        return repr(float(value))
    if pa.types.is_boolean(typ):
        return bool(value)
    if pa.types.is_timestamp(typ):
        if isinstance(value, str):
            value = dt.datetime.fromisoformat(value.replace(" ", "T"))
        if typ.tz is None:
            # A local timestamp: its wall clock is the value.
            return value.replace(tzinfo=None).isoformat()
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.timezone.utc)
        return value.astimezone(dt.timezone.utc).isoformat()
    if pa.types.is_date(typ):
        if isinstance(value, str):
            return dt.date.fromisoformat(value[:10]).isoformat()
        return value.isoformat()
    if pa.types.is_binary(typ) or pa.types.is_large_binary(typ):
        return value.hex() if isinstance(value, (bytes, bytearray)) else str(value)
    if isinstance(value, (list, dict)):
        return json.dumps(value, sort_keys=True, default=str)
    return str(value)


def describe(name, cols, left, right, n_left, n_right, other):
    """One line saying how two multisets of rows differ: counts, and the first
    differing column of the first row found on one side only."""
    only_left = list((left - right).elements())
    only_right = list((right - left).elements())
    line = f"{name}: {n_left} rows in {other}, {n_right} in Kho; {len(only_left)} only in {other}, {len(only_right)} only in Kho"
    if only_left and only_right:
        a, b = only_left[0], only_right[0]
        for c, x, y in zip(cols, a, b):
            if x != y:
                line += f"; e.g. column {c}: {other} {str(x)[:80]!r}, Kho {str(y)[:80]!r}"
                break
    return line


def compare(kho, workdir, name, arrow_table, sql):
    """Differences between the Arrow table (pyiceberg) and Kho's answer to sql, as text lines."""
    kho_answer = kho_rows(kho, workdir, sql)
    cols = arrow_table.column_names
    types = {f.name: f.type for f in arrow_table.schema}
    problems = []
    if kho_answer:
        missing = set(cols) - set(kho_answer[0])
        extra = set(kho_answer[0]) - set(cols)
        if missing or extra:
            problems.append(f"{name}: columns differ: only pyiceberg {sorted(missing)}, only Kho {sorted(extra)}")
            cols = [c for c in cols if c in kho_answer[0]]
    left = collections.Counter(
        tuple(canon(r[c], types[c]) for c in cols) for r in arrow_table.select(cols).to_pylist()
    )
    right = collections.Counter(tuple(canon(r.get(c), types[c]) for c in cols) for r in kho_answer)
    if left != right:
        problems.append(describe(name, cols, left, right, arrow_table.num_rows, len(kho_answer), "pyiceberg"))
    return problems, arrow_table.num_rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kho", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--catalog-uri", required=True)
    ap.add_argument("--warehouse", default="")
    ap.add_argument("--expect-evolved", action="append", default=[],
                    help="a table whose compared snapshots must have different schemas")
    ap.add_argument("--expect-deletes", type=int, default=0,
                    help="at least this many tables must be read through position-delete files")
    args = ap.parse_args()

    props = {"uri": args.catalog_uri}
    if args.warehouse:
        props["warehouse"] = args.warehouse
    catalog = SqlCatalog("kho", **props)
    problems, compared, rows = [], 0, 0
    evolved, with_deletes = set(), {}
    for ns in sorted(catalog.list_namespaces()):
        for ident in sorted(catalog.list_tables(ns)):
            name = ".".join(ident)
            table = catalog.load_table(ident)
            snaps = table.metadata.snapshots
            if not snaps:
                continue
            current = table.metadata.current_snapshot_id
            # The current snapshot, and the oldest one still in the table's history.
            history = [h.snapshot_id for h in table.metadata.snapshot_log] or [current]
            wanted = [("current", current, name)]
            if history[0] != current:
                wanted.append((f"snapshot {history[0]}", history[0], f"{name}__snapshot_{history[0]}"))
            schema_ids = {table.metadata.snapshot_by_id(sid).schema_id for _, sid, _ in wanted}
            if len(schema_ids) > 1:
                evolved.add(name)
                print(f"  schema evolved: {name} schemas {sorted(schema_ids)}", flush=True)
            # Merges mark replaced rows with position-delete files: the scan
            # must apply them, and so must Kho's views.
            deletes = {d.file_path for task in table.scan().plan_files() for d in task.delete_files}
            if deletes:
                with_deletes[name] = len(deletes)
                print(f"  delete files: {name} {len(deletes)}", flush=True)
            for label, sid, rel in wanted:
                arrow_table = table.scan(snapshot_id=sid).to_arrow()
                p, n = compare(args.kho, args.workdir, f"{name} ({label})", arrow_table, f"SELECT * FROM {rel}")
                problems += p
                compared += 1
                rows += n
                print(f"  {'DIFF' if p else 'same'}  {name:55s} {label:28s} {n:>8d} rows", flush=True)
    print(f"pyiceberg: {compared} table snapshots compared, {rows} rows, {len(problems)} differences")
    for p in problems:
        print("DIFF " + p, file=sys.stderr)
    print(f"pyiceberg: {len(evolved)} tables with schema evolution ({', '.join(sorted(evolved)) or 'none'}), "
          f"{len(with_deletes)} read through position-delete files ({', '.join(sorted(with_deletes)) or 'none'})")
    for name in args.expect_evolved:
        if name not in evolved:
            print(f"{name}: expected snapshots of two schemas, found one", file=sys.stderr)
            problems.append(f"{name} did not evolve")
    if len(with_deletes) < args.expect_deletes:
        print(f"expected at least {args.expect_deletes} tables with position-delete files, found {len(with_deletes)}", file=sys.stderr)
        problems.append("too few tables with delete files")
    if compared == 0:
        print("no table compared: is the catalog empty?", file=sys.stderr)
        sys.exit(1)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
