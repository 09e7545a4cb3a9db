#!/usr/bin/env bash
# The interop suite (make test-interop): Kho's lake read and written by the
# tools that a province's data engineers already have, on both catalogs.
#
#   1. pyiceberg (SqlCatalog) on Kho's SQLite catalog reads every table, at the
#      current snapshot and at the oldest one of its history, and agrees row
#      for row with Kho's DuckDB views;
#   2. Spark (local mode, Iceberg's Spark runtime, JdbcCatalog on the same
#      SQLite file) reads every table and agrees; appends rows that Kho's query
#      and next run see; compacts a table without changing Kho's answers;
#   3. the same lake on a PostgreSQL catalog, read by pyiceberg.
#
# Needs Python 3 with venv, Java 17 with Maven (for the jars) and PostgreSQL on
# 127.0.0.1:5432 (KHO_TEST_PG_DSN). Tools are cached under $KHO_INTEROP_CACHE.
set -euo pipefail
export SPARK_LOCAL_IP=127.0.0.1   # Spark binds to loopback only
cd "$(dirname "$0")/.."
root=$PWD
cache=${KHO_INTEROP_CACHE:-$HOME/.cache/kho-interop}
pg_dsn=${KHO_TEST_PG_DSN:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable}
log() { printf '\n== interop: %s\n' "$*"; }
SECONDS=0

mkdir -p "$cache/jars"
if [ ! -x "$cache/venv/bin/python" ]; then
  python3 -m venv "$cache/venv"
fi
if ! cmp -s interop/requirements.txt "$cache/venv/requirements.txt"; then
  log "installing $(grep -v '^#' interop/requirements.txt | tr '\n' ' ')"
  "$cache/venv/bin/pip" install -q --disable-pip-version-check -r interop/requirements.txt
  cp interop/requirements.txt "$cache/venv/requirements.txt"
fi
jars=()
while read -r art; do
  case "$art" in ''|'#'*) continue ;; esac
  IFS=: read -r g a v <<<"$art"
  jar="$cache/jars/$a-$v.jar"
  if [ ! -s "$jar" ]; then
    log "fetching $art"
    mvn -q -B dependency:copy -Dartifact="$art" -DoutputDirectory="$cache/jars" >/dev/null
  fi
  jars+=("$jar")
done < interop/jars.txt
jarlist=$(IFS=,; echo "${jars[*]}")
py="$cache/venv/bin/python"

log "tools"
echo "kho        $(git describe --always --dirty 2>/dev/null || echo unknown)"
"$py" -c 'import pyiceberg, pyarrow, sqlalchemy; print("pyiceberg ", pyiceberg.__version__); print("pyarrow   ", pyarrow.__version__); print("sqlalchemy", sqlalchemy.__version__)'
"$py" -c 'import pyspark; print("pyspark   ", pyspark.__version__)'
for j in "${jars[@]}"; do echo "jar        $(basename "$j")"; done
java -version 2>&1 | head -1

go build -tags=duckdb_arrow -o bin/kho ./cmd/kho
kho=$root/bin/kho
work=$(mktemp -d "${TMPDIR:-/tmp}/kho-interop.XXXXXX")
trap 'rm -rf "$work"' EXIT

# A lake with history: the sample province loaded, then loaded again from a
# province drawn with another seed, so that tables have an older snapshot.
log "building the sample lake (SQLite catalog) in $work/sqlite"
mkdir -p "$work/sqlite" && cd "$work/sqlite"
"$kho" sample-data --out kho-data/sample --scale 1 >/dev/null
KHO_LOG_LEVEL=warn "$kho" run --all >run1.log 2>&1 || { tail -20 run1.log; exit 1; }
"$kho" sample-data --out kho-data/sample --scale 1 --seed 7 >/dev/null
KHO_LOG_LEVEL=warn "$kho" run --all >run2.log 2>&1 || { tail -20 run2.log; exit 1; }

log "pyiceberg on the SQLite catalog"
(cd "$root/interop" && "$py" compare_pyiceberg.py --kho "$kho" --workdir "$work/sqlite" \
  --catalog-uri "sqlite:///$work/sqlite/kho-data/lake/catalog.db")

log "Spark on the SQLite catalog"
(cd "$root/interop" && "$py" compare_spark.py --kho "$kho" --workdir "$work/sqlite" \
  --catalog-uri "sqlite:///$work/sqlite/kho-data/lake/catalog.db" \
  --jdbc-url "jdbc:sqlite:$work/sqlite/kho-data/lake/catalog.db" \
  --warehouse "$work/sqlite/kho-data/lake" --jars "$jarlist" \
  --append-table health.visits --append-key visit_id --append-pipeline health_visits)

log "pyiceberg on a PostgreSQL catalog"
pg_base=${pg_dsn%%\?*}; pg_server=${pg_base%/*}
psql "$pg_dsn" -qc 'DROP DATABASE IF EXISTS kho_interop' -c 'CREATE DATABASE kho_interop' >/dev/null
mkdir -p "$work/pg" && cd "$work/pg"
export KHO_LAKE_CATALOG_TYPE=postgres KHO_LAKE_CATALOG_DSN="$pg_server/kho_interop?sslmode=disable"
"$kho" sample-data --out kho-data/sample --scale 1 >/dev/null
KHO_LOG_LEVEL=warn "$kho" run --all >run1.log 2>&1 || { tail -20 run1.log; exit 1; }
pg_sqla=$(echo "$pg_server" | sed 's|^postgres://|postgresql+psycopg2://|; s|^postgresql://|postgresql+psycopg2://|')
(cd "$root/interop" && "$py" compare_pyiceberg.py --kho "$kho" --workdir "$work/pg" \
  --catalog-uri "$pg_sqla/kho_interop")
unset KHO_LAKE_CATALOG_TYPE KHO_LAKE_CATALOG_DSN
psql "$pg_dsn" -qc 'DROP DATABASE IF EXISTS kho_interop' >/dev/null || true

log "passed in ${SECONDS}s"
