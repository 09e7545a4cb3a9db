"""Reads Kho's lake with Spark (local mode, Iceberg's Spark runtime and its JDBC
catalog) and checks that it agrees with Kho, that Kho sees what Spark appends,
and that a Spark compaction leaves Kho's answers unchanged.

Usage: compare_spark.py --kho BIN --workdir DIR --catalog-uri PYICEBERG_URI
       --jdbc-url JDBC_URL [--jdbc-user U] --warehouse LAKE_ROOT --jars A.jar,B.jar
       --append-table NS.TABLE --append-pipeline NAME

Spark's catalog is named "kho" like Kho's (the catalog_name of the JDBC
catalog's rows), with the V1 layout of its tables (jdbc.schema-version=V1).
"""
import argparse
import collections
import re
import os
import subprocess
import sys

os.environ["TZ"] = "UTC"  # pyspark turns timestamps into naive datetimes of the local zone

from pyiceberg.catalog.sql import SqlCatalog  # noqa: E402
from pyspark.sql import SparkSession  # noqa: E402

from compare_pyiceberg import canon, describe, kho_rows  # noqa: E402


def spark_session(args):
    b = (
        SparkSession.builder.master("local[2]")
        .appName("kho-interop")
        .config("spark.jars", args.jars)
        .config("spark.sql.extensions", "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions")
        .config("spark.sql.catalog.kho", "org.apache.iceberg.spark.SparkCatalog")
        .config("spark.sql.catalog.kho.type", "jdbc")
        .config("spark.sql.catalog.kho.uri", args.jdbc_url)
        .config("spark.sql.catalog.kho.jdbc.schema-version", "V1")
        .config("spark.sql.catalog.kho.warehouse", args.warehouse)
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        # One catalog connection: with several, SQLite (in WAL mode) refuses a
        # commit from a connection whose read snapshot another one has moved
        # past (SQLITE_BUSY_SNAPSHOT).
        .config("spark.sql.catalog.kho.clients", "1")
        .config("spark.driver.memory", "1g")
        .config("spark.sql.shuffle.partitions", "2")
    )
    if args.jdbc_user:
        b = b.config("spark.sql.catalog.kho.jdbc.user", args.jdbc_user)
        b = b.config("spark.sql.catalog.kho.jdbc.password", "")
    spark = b.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def rows_of(spark, rel, cols, types):
    df = spark.sql(f"SELECT {', '.join('`' + c + '`' for c in cols)} FROM {rel}")
    return collections.Counter(tuple(canon(r[c], types[c]) for c in cols) for r in df.collect())


def kho_counter(args, sql, cols, types):
    ans = kho_rows(args.kho, args.workdir, sql)
    return collections.Counter(tuple(canon(r.get(c), types[c]) for c in cols) for r in ans), len(ans)


def main():
    ap = argparse.ArgumentParser()
    for a in ("--kho", "--workdir", "--catalog-uri", "--jdbc-url", "--warehouse", "--jars", "--append-table", "--append-key", "--append-pipeline"):
        ap.add_argument(a, required=True)
    ap.add_argument("--jdbc-user", default="")
    ap.add_argument("--tables", default="", help="compare only the tables whose name matches this regular expression")
    args = ap.parse_args()

    catalog = SqlCatalog("kho", uri=args.catalog_uri)
    spark = spark_session(args)
    print(f"spark {spark.version}", flush=True)
    problems, compared, total = [], 0, 0

    def check(name, ident):
        nonlocal compared, total
        table = catalog.load_table(ident)
        if table.metadata.current_snapshot_id is None:
            return
        arrow_schema = table.schema().as_arrow()
        cols = [f.name for f in arrow_schema]
        types = {f.name: f.type for f in arrow_schema}
        left = rows_of(spark, "kho." + name, cols, types)
        right, n = kho_counter(args, f"SELECT * FROM {name}", cols, types)
        n_left = sum(left.values())
        ok = left == right
        if not ok:
            problems.append(describe(name, cols, left, right, n_left, n, "Spark"))
        compared += 1
        total += n_left
        print(f"  {'same' if ok else 'DIFF'}  {name:55s} {n_left:>8d} rows", flush=True)

    # 1. Spark reads every table as Kho does.
    for ns in sorted(catalog.list_namespaces()):
        for ident in sorted(catalog.list_tables(ns)):
            if re.search(args.tables, ".".join(ident)):
                check(".".join(ident), ident)

    # 2. A Spark compaction leaves Kho's answers unchanged.
    t = args.append_table
    ident = tuple(t.split("."))
    table = catalog.load_table(ident)
    arrow_schema = table.schema().as_arrow()
    cols = [f.name for f in arrow_schema]
    types = {f.name: f.type for f in arrow_schema}
    before_rows, _ = kho_counter(args, f"SELECT * FROM {t}", cols, types)
    res = spark.sql(f"CALL kho.system.rewrite_data_files(table => '{t}', options => map('rewrite-all', 'true'))").collect()
    after_rows, n = kho_counter(args, f"SELECT * FROM {t}", cols, types)
    if before_rows != after_rows:
        problems.append(describe(f"{t} after Spark's rewrite_data_files", cols, before_rows, after_rows, sum(before_rows.values()), n, "Kho before"))
    print(f"  spark rewrite_data_files on {t}: {res[0][0]} files rewritten into {res[0][1]}; Kho's answer {'unchanged' if before_rows == after_rows else 'CHANGED'}", flush=True)

    # 3. Spark appends; Kho's query sees the rows, and (once Spark is gone: a
    # SQLite catalog takes one writer at a time) Kho's next run keeps them.
    before = kho_rows(args.kho, args.workdir, f"SELECT count(*) AS n FROM {t}")[0]["n"]
    # Seven rows under new keys, so that the pipeline's next merge keeps them.
    from pyspark.sql import functions as F

    key = args.append_key
    new_rows = spark.table(f"kho.{t}").limit(7).withColumn(key, F.concat(F.lit("SPARK-"), F.col(key)))
    new_rows.writeTo(f"kho.{t}").append()
    after = kho_rows(args.kho, args.workdir, f"SELECT count(*) AS n FROM {t}")[0]["n"]
    if after != before + 7:
        problems.append(f"{t}: Kho counts {after} rows after Spark appended 7 to {before}")
    spark.stop()
    run = subprocess.run([args.kho, "run", args.append_pipeline], cwd=args.workdir, capture_output=True, text=True)
    if run.returncode != 0:
        problems.append(f"kho run {args.append_pipeline} after a Spark append failed: {run.stderr.strip()[-500:]}")
    kept = kho_rows(args.kho, args.workdir, f"SELECT count(*) AS n FROM {t} WHERE {key} LIKE 'SPARK-%'")[0]["n"]
    if kept != 7:
        problems.append(f"{t}: {kept} of Spark's 7 rows left after kho run {args.append_pipeline}")
    print(f"  spark append: {t} {before} -> {after} rows in Kho; kho run {args.append_pipeline}: exit {run.returncode}, Spark's rows kept: {kept}", flush=True)

    right, n = kho_counter(args, f"SELECT * FROM {t}", cols, types)
    if n != after:
        problems.append(f"{t}: {n} rows in Kho after its run, {after} before it")
    print(f"spark: {compared} tables compared, {total} rows, {len(problems)} differences")
    for p in problems:
        print("DIFF " + p, file=sys.stderr)
    sys.exit(1 if problems or compared == 0 else 0)


if __name__ == "__main__":
    main()
