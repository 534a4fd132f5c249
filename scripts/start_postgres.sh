#!/usr/bin/env bash
# Start Debian's PostgreSQL cluster and make the store's test database; print its URL.
#
# Idempotent: safe to run again while the server runs. Needs the Debian packages `postgresql`
# and `postgis` (the Makefile's `sysdeps` target installs them) and root or sudo, as CI has.
# Only the URL goes to standard output, so a caller can write
#   url=$(bash scripts/start_postgres.sh) && MAPPER_TEST_PG_URL="$url" pytest
# Settings (environment): MAPPER_PG_ROLE, MAPPER_PG_PASSWORD, MAPPER_PG_DB (defaults: mapper,
# mapper, mapper_test).
set -euo pipefail

ROLE="${MAPPER_PG_ROLE:-mapper}"
PASSWORD="${MAPPER_PG_PASSWORD:-mapper}"
DB="${MAPPER_PG_DB:-mapper_test}"
CLUSTER=main

say() { echo "start_postgres: $*" >&2; }
die() { say "$*"; exit 1; }

command -v pg_lsclusters >/dev/null 2>&1 \
  || die "PostgreSQL is not installed: run \`make sysdeps\` (Debian packages postgresql, postgis)."

if [ "$(id -u)" = 0 ]; then
  as_postgres() { runuser -u postgres -- "$@"; }
else
  as_postgres() { sudo -u postgres -- "$@"; }
  SUDO=sudo
fi
SUDO="${SUDO:-}"

# The newest installed server version.
VERSION="$(ls /usr/lib/postgresql | sort -V | tail -n 1)"
[ -n "$VERSION" ] || die "no server under /usr/lib/postgresql: install the Debian package postgresql."
ls "/usr/share/postgresql/$VERSION/extension/postgis.control" >/dev/null 2>&1 \
  || die "PostGIS for PostgreSQL $VERSION is missing: install the Debian package postgis."

if ! pg_lsclusters -h | awk -v v="$VERSION" -v c="$CLUSTER" '$1 == v && $2 == c {found=1} END {exit !found}'; then
  say "creating cluster $VERSION/$CLUSTER"
  $SUDO pg_createcluster "$VERSION" "$CLUSTER" >&2
fi

PORT="$(pg_lsclusters -h | awk -v v="$VERSION" -v c="$CLUSTER" '$1 == v && $2 == c {print $3}')"
STATUS="$(pg_lsclusters -h | awk -v v="$VERSION" -v c="$CLUSTER" '$1 == v && $2 == c {print $4}')"
if [ "$STATUS" != online ]; then
  say "starting cluster $VERSION/$CLUSTER on port $PORT"
  $SUDO pg_ctlcluster "$VERSION" "$CLUSTER" start >&2 \
    || die "pg_ctlcluster $VERSION $CLUSTER start failed: see /var/log/postgresql/postgresql-$VERSION-$CLUSTER.log"
fi

for _ in $(seq 1 60); do
  pg_isready -q -h 127.0.0.1 -p "$PORT" && break
  sleep 0.5
done
pg_isready -q -h 127.0.0.1 -p "$PORT" \
  || die "the server on 127.0.0.1:$PORT did not accept connections within 30 s."

psql_admin() { PGOPTIONS="-c client_min_messages=warning" as_postgres psql -X -q -v ON_ERROR_STOP=1 -p "$PORT" "$@"; }

psql_admin -d postgres >&2 <<SQL
SELECT format('CREATE ROLE %I LOGIN', '$ROLE')
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$ROLE') \gexec
ALTER ROLE "$ROLE" WITH LOGIN PASSWORD '$PASSWORD';
SELECT format('CREATE DATABASE %I OWNER %I', '$DB', '$ROLE')
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$DB') \gexec
SQL
psql_admin -d "$DB" -c "CREATE EXTENSION IF NOT EXISTS postgis" >&2

say "PostgreSQL $VERSION ready, database $DB (PostGIS) for role $ROLE"
echo "postgresql+psycopg://$ROLE:$PASSWORD@127.0.0.1:$PORT/$DB"
