#!/usr/bin/env bash
# The interop suite (make test-interop): Kho's lake read and written by the
# tools that a province's data engineers already have, on both catalogs.
#
#   1. pyiceberg (SqlCatalog) on Kho's SQLite catalog reads every table, at the
#      current snapshot and at the oldest one of its history, and agrees row
#      for row with Kho's DuckDB views; among them a table whose schema
#      evolved between the two snapshots and merge tables read through
#      position-delete files;
#   2. Spark (local mode, Iceberg's Spark runtime, JdbcCatalog on the same
#      SQLite file) reads every table and agrees; appends rows that Kho's query
#      and next run see; compacts a table without changing Kho's answers;
#   3. the same lake on a PostgreSQL catalog, read by pyiceberg;
#   4. Trino (its Iceberg connector on that PostgreSQL catalog) reads every
#      table now and at its oldest snapshot and agrees; its DELETE (its own
#      position-delete files) and INSERT are seen by Kho, and Kho's next run
#      by Trino;
#   5. two kho schedule processes sharing a PostgreSQL catalog.
#
# Needs Python 3 with venv, Java 17 with Maven (for the jars) and PostgreSQL on
# 127.0.0.1:5432 (KHO_TEST_PG_DSN). Tools are cached under $KHO_INTEROP_CACHE.
set -euo pipefail
export SPARK_LOCAL_IP=127.0.0.1   # Spark binds to loopback only
cd "$(dirname "$0")/.."
root=$PWD
cache=${KHO_INTEROP_CACHE:-$HOME/.cache/kho-interop}
export PGOPTIONS="-c client_min_messages=warning"
pg_dsn=${KHO_TEST_PG_DSN:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable}
log() { printf '\n== interop: %s\n' "$*"; }
# KHO_INTEROP_ONLY="spark schedulers" runs only those parts (all by default).
want() { [[ " ${KHO_INTEROP_ONLY:-pyiceberg spark postgres trino schedulers} " == *" $1 "* ]]; }
# Trino: the server of io.trino:trino-server on Maven Central (Java 24+).
trino_version=476
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
"$py" -c 'import importlib.metadata as m; print("trino     ", m.version("trino"), "(Python client)")'
echo "trino      $trino_version (io.trino:trino-server, on ${KHO_TRINO_JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64})"
for j in "${jars[@]}"; do echo "jar        $(basename "$j")"; done
java -version 2>&1 | sed -n 1p   # sed reads it all: head would leave java to SIGPIPE under pipefail

go build -tags=duckdb_arrow -o bin/kho ./cmd/kho
kho=$root/bin/kho
work=$(mktemp -d "${TMPDIR:-/tmp}/kho-interop.XXXXXX")
trap 'rm -rf "$work"' EXIT

# A lake with history: the sample province loaded, then loaded again from a
# province drawn with another seed, so that tables have an older snapshot.
if want pyiceberg || want spark; then
log "building the sample lake (SQLite catalog) in $work/sqlite"
mkdir -p "$work/sqlite" && cd "$work/sqlite"
"$kho" sample-data --out kho-data/sample --scale 1 >/dev/null
KHO_LOG_LEVEL=warn "$kho" run --all >run1.log 2>&1 || { tail -20 run1.log; exit 1; }
# Schema evolution: before the second load a project schema (kho init's
# layout: kho.yaml with schemas/ beside it) adds a column to health.clinics, so
# its older snapshot has the older schema. The second load's merges change
# rows, so merge tables are read through position-delete files.
printf 'pipelines_dir: ""   # the built-in pipelines\n' >kho.yaml
mkdir -p schemas/health
sed 's/^  - {name: beds,/  - {name: note, label: Ghi chú, label_en: Note, type: string}\n  - {name: beds,/' \
  "$root/schemas/health/clinics.yaml" >schemas/health/clinics.yaml
# (into a file: grep -q leaves at the first match, and kho, still writing
# to the pipe, would die of SIGPIPE, failing the pipeline one time in three)
"$kho" validate >validate.log
grep -q 'replaces the built-in dataset health.clinics' validate.log || { echo "the project schema of health.clinics was not taken" >&2; cat validate.log >&2; exit 1; }
"$kho" sample-data --out kho-data/sample --scale 1 --seed 7 >/dev/null
KHO_LOG_LEVEL=warn "$kho" run --all >run2.log 2>&1 || { tail -20 run2.log; exit 1; }
fi

if want pyiceberg; then
log "pyiceberg on the SQLite catalog"
(cd "$root/interop" && "$py" compare_pyiceberg.py --kho "$kho" --workdir "$work/sqlite" \
  --catalog-uri "sqlite:///$work/sqlite/kho-data/lake/catalog.db" \
  --expect-evolved health.clinics --expect-deletes 2)
fi

if want spark; then
log "Spark on the SQLite catalog"
(cd "$root/interop" && "$py" compare_spark.py --kho "$kho" --workdir "$work/sqlite" \
  --catalog-uri "sqlite:///$work/sqlite/kho-data/lake/catalog.db" \
  --jdbc-url "jdbc:sqlite:$work/sqlite/kho-data/lake/catalog.db" \
  --warehouse "$work/sqlite/kho-data/lake" --jars "$jarlist" \
  --append-table health.visits --append-key visit_id --append-pipeline health_visits)
fi

pg_base=${pg_dsn%%\?*}; pg_server=${pg_base%/*}
if want postgres || want trino; then
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

if want trino; then
# Trino: the server tarball from Maven Central (every plugin; the Iceberg one
# bundles the PostgreSQL driver), on Java 24+, one node on loopback, with the
# catalog file of docs/lakehouse.md pointing at this lake's PostgreSQL catalog.
log "Trino $trino_version on the PostgreSQL catalog"
trino_java=${KHO_TRINO_JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
[ -x "$trino_java/bin/java" ] || { echo "Trino $trino_version needs Java 24 or later: set KHO_TRINO_JAVA_HOME (none at $trino_java)" >&2; exit 1; }
trino_home=$cache/trino-server-$trino_version
if [ ! -x "$trino_home/bin/launcher" ]; then
  log "fetching io.trino:trino-server:$trino_version (about 800 MB)"
  curl -sfL -o "$cache/trino-server.tar.gz.part" "https://repo1.maven.org/maven2/io/trino/trino-server/$trino_version/trino-server-$trino_version.tar.gz" ||
    mvn -q -B dependency:copy -Dartifact="io.trino:trino-server:$trino_version:tar.gz" -DoutputDirectory="$cache" -Dmdep.stripVersion=false >/dev/null
  [ -s "$cache/trino-server.tar.gz.part" ] && mv "$cache/trino-server.tar.gz.part" "$cache/trino-server-$trino_version.tar.gz"
  tar xzf "$cache/trino-server-$trino_version.tar.gz" -C "$cache"
  rm -f "$cache/trino-server-$trino_version.tar.gz"
fi
# The lake with history and delete files: a second load from another seed.
"$kho" sample-data --out kho-data/sample --scale 1 --seed 7 >/dev/null
KHO_LOG_LEVEL=warn "$kho" run --all >run2.log 2>&1 || { tail -20 run2.log; exit 1; }
t_etc=$work/trino/etc; mkdir -p "$t_etc/catalog" "$work/trino/data"
trino_port=${KHO_TRINO_PORT:-18080}
printf 'node.environment=kho_interop\nnode.id=kho-interop-1\nnode.data-dir=%s\n' "$work/trino/data" >"$t_etc/node.properties"
printf -- '-server\n-Xmx2G\n-XX:+UseG1GC\n-XX:+ExitOnOutOfMemoryError\n-Djdk.attach.allowAttachSelf=true\n' >"$t_etc/jvm.config"
printf 'coordinator=true\nnode-scheduler.include-coordinator=true\nhttp-server.http.port=%s\ndiscovery.uri=http://127.0.0.1:%s\nquery.max-memory=1GB\nquery.max-memory-per-node=1GB\n' "$trino_port" "$trino_port" >"$t_etc/config.properties"
pg_hostdb=${pg_server#*://}; pg_user=${pg_hostdb%%@*}; pg_hostport=${pg_hostdb#*@}
cat >"$t_etc/catalog/kho.properties" <<PROPS
connector.name=iceberg
iceberg.catalog.type=jdbc
iceberg.jdbc-catalog.catalog-name=kho
iceberg.jdbc-catalog.driver-class=org.postgresql.Driver
iceberg.jdbc-catalog.connection-url=jdbc:postgresql://$pg_hostport/kho_interop
iceberg.jdbc-catalog.connection-user=$pg_user
iceberg.jdbc-catalog.connection-password=
iceberg.jdbc-catalog.default-warehouse-dir=file://$work/pg/kho-data/lake
fs.hadoop.enabled=true
PROPS
JAVA_HOME=$trino_java PATH=$trino_java/bin:$PATH "$trino_home/bin/launcher" run --etc-dir "$t_etc" --data-dir "$work/trino/data" >"$work/trino/server.log" 2>&1 &
trino_pid=$!
for i in $(seq 1 180); do
  grep -q 'SERVER STARTED' "$work/trino/server.log" && break
  kill -0 $trino_pid 2>/dev/null || break
  sleep 1
done
grep -q 'SERVER STARTED' "$work/trino/server.log" || { echo "Trino did not start:" >&2; tail -30 "$work/trino/server.log" >&2; kill $trino_pid 2>/dev/null; exit 1; }
status=0
(cd "$root/interop" && "$py" compare_trino.py --kho "$kho" --workdir "$work/pg" \
  --catalog-uri "$pg_sqla/kho_interop" --port "$trino_port" \
  --write-table health.visits --write-key visit_id --write-pipeline health_visits) || status=$?
kill $trino_pid 2>/dev/null; wait $trino_pid 2>/dev/null || true
[ $status -eq 0 ] || exit $status
fi
unset KHO_LAKE_CATALOG_TYPE KHO_LAKE_CATALOG_DSN
psql "$pg_dsn" -qc 'DROP DATABASE IF EXISTS kho_interop' >/dev/null || true
fi

# Two schedulers, as on two machines: each its own data directory (history,
# DuckDB files, sample sources), one lake root and one PostgreSQL catalog,
# disjoint pipelines on a 10-second schedule; both build the marts after their
# runs, so the marts' tables have two writers and their locks are exercised.
if want schedulers; then
log "two kho schedule processes sharing a PostgreSQL catalog"
psql "$pg_dsn" -qc 'DROP DATABASE IF EXISTS kho_interop2' -c 'CREATE DATABASE kho_interop2' >/dev/null
shared_lake=$work/shared-lake
for node in a b; do
  mkdir -p "$work/$node/pipelines" && cd "$work/$node"
  case $node in
    a) pick='health_*.yaml reference_*.yaml' ;;
    b) pick='education_*.yaml labour_*.yaml' ;;
  esac
  for f in $(cd "$root/configs/pipelines" && ls $pick); do
    sed 's/^schedule: .*/schedule: "@every 10s"/' "$root/configs/pipelines/$f" >"pipelines/$f"
  done
  [ -f "$root/configs/pipelines/_defaults.yaml" ] && cp "$root/configs/pipelines/_defaults.yaml" pipelines/
  cat >kho.yaml <<YAML
data_dir: $work/$node/kho-data
lake:
  root: $shared_lake
  catalog: {type: postgres, dsn: "$pg_server/kho_interop2?sslmode=disable"}
pipelines_dir: pipelines
scheduler: {concurrent: 1, maintenance: ""}
log: {format: text, level: warn}
YAML
  "$kho" sample-data --out kho-data/sample --scale 1 >/dev/null
done
(cd "$work/a" && exec "$kho" schedule >schedule.log 2>&1) & pid_a=$!
(cd "$work/b" && exec "$kho" schedule >schedule.log 2>&1) & pid_b=$!
want_a=$(ls "$work/a/pipelines" | grep -v '^_' | wc -l); want_b=$(ls "$work/b/pipelines" | grep -v '^_' | wc -l)
ok=""
for i in $(seq 1 90); do
  sleep 5
  got=$(cd "$work/a" && "$kho" query -f csv "SELECT count(DISTINCT pipeline) FROM kho.snapshots WHERE pipeline <> 'marts'" 2>/dev/null | tail -1 || echo 0)
  if [ "${got:-0}" -ge $((want_a + want_b)) ]; then ok=1; break; fi
  # A scheduler that exited will not load its pipelines: say so now.
  kill -0 $pid_a 2>/dev/null && kill -0 $pid_b 2>/dev/null || { echo "a scheduler exited after $((i * 5)) s" >&2; break; }
done
kill -TERM $pid_a $pid_b 2>/dev/null || true; wait $pid_a $pid_b || true
[ -n "$ok" ] || { echo "the two schedulers loaded ${got:-0} of $((want_a + want_b)) pipelines in $((i * 5)) s" >&2; tail -n 20 "$work/a/schedule.log" "$work/b/schedule.log" >&2; exit 1; }
for node in a b; do
  (cd "$work/$node" && "$kho" query -f csv "SELECT (SELECT count(*) FROM health.visits) AS visits, (SELECT count(*) FROM education.learners) AS learners, (SELECT count(*) FROM marts.sector_labour) AS mart_rows") | tail -1 | {
    IFS=, read -r v l m
    echo "  node $node sees health.visits $v rows (node a's), education.learners $l rows (node b's), marts.sector_labour $m rows"
    [ "$v" -gt 0 ] && [ "$l" -gt 0 ] && [ "$m" -gt 0 ] || { echo "node $node does not see both nodes' tables" >&2; exit 1; }
  }
done
# Each table was written by one node's pipelines only (the other node's
# runs never loaded it), and no run committed a table twice.
(cd "$work/a" && "$kho" query -f csv "SELECT dataset, count(DISTINCT pipeline) AS pipelines FROM kho.snapshots WHERE pipeline <> 'marts' GROUP BY dataset HAVING count(DISTINCT pipeline) > 1
  UNION ALL SELECT dataset || ' run ' || run_id, count(*) FROM kho.snapshots GROUP BY dataset, run_id HAVING count(*) > 1") >"$work/twice.csv"
if [ "$(wc -l <"$work/twice.csv")" -gt 1 ]; then echo "tables loaded twice:" >&2; cat "$work/twice.csv" >&2; exit 1; fi
psql "$pg_dsn" -qc 'DROP DATABASE IF EXISTS kho_interop2' >/dev/null || true
fi

log "passed in ${SECONDS}s"
