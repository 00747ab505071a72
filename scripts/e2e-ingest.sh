#!/usr/bin/env bash
# End-to-end check of docs/SCALE.md's PostgreSQL configuration: install
# PostgreSQL when missing (Debian's package, root), start a private cluster
# on a unix socket in a temporary directory (no TCP port), create the table
# of SCALE.md, load ftptrace's records of every capture in testdata/pcaps as
# a sensor of its own, run SCALE.md's two queries, and check their answers
# against what ftptrace's own tables say (creds and transfers as TSV, read
# with awk: another way through the same facts). The cluster it started is
# stopped by its PID, whatever happens.
#
# Needs root to install PostgreSQL and to run it as the postgres user
# (initdb refuses root); otherwise it skips with a message, unless CI=true.
set -euo pipefail
cd "$(dirname "$0")/.."

GO=${GO:-go}
DOC=${DOC:-docs/SCALE.md}

if [ "$(id -u)" != 0 ]; then
  if [ "${CI:-}" = true ]; then echo "e2e-ingest: CI=true and not root: cannot run PostgreSQL here" >&2; exit 1; fi
  echo "e2e-ingest: SKIP: run as root (it installs PostgreSQL and runs it as the postgres user)"
  exit 0
fi
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
if [ -z "$pgbin" ] || [ ! -x "$pgbin/initdb" ]; then
  echo "e2e-ingest: installing postgresql (apt-get install postgresql)"
  export DEBIAN_FRONTEND=noninteractive
  # Installing must not start the system's own cluster.
  policy=/usr/sbin/policy-rc.d made_policy=
  if [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' >"$policy"; chmod +x "$policy"; made_policy=1; fi
  apt-get install -y -qq postgresql >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq postgresql >/dev/null; }
  [ -n "$made_policy" ] && rm -f "$policy"
  pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
fi
echo "e2e-ingest: PostgreSQL $("$pgbin/postgres" --version | awk '{print $3}') from $pgbin"

work=$(mktemp -d)
chmod 755 "$work"
pid=
cleanup() {
  # The postmaster of the cluster this script started, by its PID (the
  # first line of postmaster.pid): SIGINT is PostgreSQL's fast shutdown.
  local pm
  pm=$(head -1 "$work/data/postmaster.pid" 2>/dev/null || true)
  if [ -n "$pm" ] && kill -0 "$pm" 2>/dev/null; then
    kill -INT "$pm"
    for _ in $(seq 100); do kill -0 "$pm" 2>/dev/null || break; sleep 0.1; done
  fi
  [ -n "$pid" ] && wait "$pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# The cluster: its data and its socket in the temporary directory, no TCP.
mkdir "$work/data" "$work/socket"
chown postgres "$work/data" "$work/socket"
as_pg() { runuser -u postgres -- "$@"; }
as_pg "$pgbin/initdb" -D "$work/data" -U ftptrace -A trust >/dev/null
as_pg "$pgbin/postgres" -D "$work/data" -k "$work/socket" -c listen_addresses='' -c fsync=off \
  >"$work/postgres.log" 2>&1 &
pid=$!
for _ in $(seq 100); do
  "$pgbin/pg_isready" -q -h "$work/socket" -U ftptrace && break
  kill -0 "$pid" 2>/dev/null || { cat "$work/postgres.log" >&2; echo "e2e-ingest: postgres did not start" >&2; exit 1; }
  sleep 0.1
done
echo "e2e-ingest: private cluster up (PID $pid, socket in $work/socket)"
psql() { command psql -X -q -v ON_ERROR_STOP=1 -h "$work/socket" -U ftptrace -d postgres "$@"; }

# The SQL blocks of SCALE.md, by the name of the comment before each.
block() {
  awk -v want="<!-- ingest: $1 -->" '
    $0 == want { found = 1; next }
    found && /^```sql/ { inside = 1; next }
    inside && /^```/ { exit }
    inside { print }' "$DOC"
}
for b in schema load cleartext-logins files-out; do
  [ -n "$(block "$b")" ] || { echo "e2e-ingest: $DOC has no SQL block '$b'" >&2; exit 1; }
done
block schema | psql

# Every capture of the project is a sensor: its records, then the tables
# the answers are checked against.
$GO build -o "$work/ftptrace" ./cmd/ftptrace
sensors=0
for cap in testdata/pcaps/*.pcap testdata/pcaps/*.pcapng; do
  sensor=$(basename "$cap")
  # A damaged capture (exit 1) still has records for what came before.
  "$work/ftptrace" --json --records session,credential,transfer,finding "$cap" >"$work/records.jsonl" 2>/dev/null || [ $? = 1 ]
  block load | sed "s#'records.jsonl'#'$work/records.jsonl'#" | psql -v sensor="$sensor"
  for view in creds transfers; do
    "$work/ftptrace" "$view" --format tsv "$cap" 2>/dev/null | awk -v sensor="$sensor" 'BEGIN { FS = OFS = "\t" } { print sensor, $0 }' \
      >>"$work/$view.tsv" || [ $? = 1 ]
  done
  sensors=$((sensors + 1))
done
echo "e2e-ingest: loaded $(psql -At -c 'SELECT count(*) FROM ftptrace') records of $sensors sensors"

# What the queries must answer, from the TSV tables (header lines name the
# columns; the sensor is the first column).
awk 'BEGIN { FS = "\t" }
  $2 == "ts" { for (i = 2; i <= NF; i++) col[$i] = i; next }
  $col["cleartext"] == "true" && $col["outcome"] == "accepted" && $col["anonymous"] != "true" {
    print $1 "|" $col["client_ip"] "|" $col["user"] "|" $col["server"] }' "$work/creds.tsv" |
  sort | uniq -c | awk '{ n = $1; $1 = ""; sub(/^ /, ""); print $0 "|" n }' | sort >"$work/want-logins"
awk 'BEGIN { FS = "\t" }
  $2 == "ts" { for (i = 2; i <= NF; i++) col[$i] = i; next }
  $col["direction"] == "download" {
    print $1 "|" $col["server_ip"] "|" $col["path"] "|" $col["client_ip"] "|" $col["bytes"] "|" $col["verdict"] "|" $col["sha256"] }' \
  "$work/transfers.tsv" | sort >"$work/want-files"

block cleartext-logins | psql -At -F '|' | awk 'BEGIN { FS = OFS = "|" } { print $1, $2, $3, $4, $5 }' | sort >"$work/got-logins"
block files-out | psql -At -F '|' | sort >"$work/got-files"

check() {
  local what=$1 got=$2 want=$3
  if ! diff -u "$want" "$got" >"$work/diff"; then
    echo "e2e-ingest: the query for $what answers otherwise than ftptrace's tables:" >&2
    cat "$work/diff" >&2
    exit 1
  fi
  [ -s "$got" ] || { echo "e2e-ingest: the query for $what found nothing" >&2; exit 1; }
  echo "e2e-ingest: $what: $(wc -l <"$got") rows, as ftptrace's tables say"
}
check "clear-text logins" "$work/got-logins" "$work/want-logins"
check "files out of their server" "$work/got-files" "$work/want-files"

# And what an FTP expert knows of the article's capture.
grep -qx 'article-active.pcap|192.168.120.168|yuanbin|192.168.120.240:21|1' "$work/got-logins" ||
  { echo "e2e-ingest: the article's clear-text login of yuanbin is not found" >&2; exit 1; }
grep -q '^vsftpd-active.pcap|127.0.0.1|readme.txt|127.0.0.1|257|complete|' "$work/got-files" ||
  { echo "e2e-ingest: vsftpd-active.pcap's download of readme.txt is not found" >&2; exit 1; }
echo "e2e-ingest: OK"
