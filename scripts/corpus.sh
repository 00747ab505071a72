#!/usr/bin/env bash
# corpus.sh: differential test of ftptrace against tshark (make corpus).
#
# Runs scripts/compare-tshark.sh over testdata/pcaps and ../shared/pcaps (the
# latter skipped, with a message, when absent) and checks every disagreement
# against testdata/corpus-disagreements.txt. Fails when a disagreement is not
# listed there, and when a listed one no longer occurs (so the list stays
# true). Listed lines of captures that were not compared are ignored.
#
# The list: one disagreement per line, four fields separated by " | ":
#   capture | connection | difference | reason      (no " | " in the reason)
# exactly as the first three are printed under "unlisted" below; blank lines
# and lines starting with # are ignored.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LIST="$ROOT/testdata/corpus-disagreements.txt"

if ! command -v tshark >/dev/null 2>&1; then
  echo "corpus: tshark is not installed (apt-get install tshark); .ci/run installs it" >&2
  exit 1
fi
dirs=("$ROOT/testdata/pcaps")
if [ -d "$ROOT/../shared/pcaps" ]; then
  dirs+=("$ROOT/../shared/pcaps")
else
  echo "corpus: $ROOT/../shared/pcaps is absent: comparing the project's own captures only (skipped the public ones)"
fi

TMP=$(mktemp -d /tmp/corpus.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
: >"$TMP/record.tsv"
COMPARE_RECORD="$TMP/record.tsv" bash "$ROOT/scripts/compare-tshark.sh" "${dirs[@]}" >"$TMP/compare.txt" 2>&1 || {
  cat "$TMP/compare.txt"; echo "corpus: compare-tshark.sh failed" >&2; exit 1; }

python3 - "$TMP/record.tsv" "$LIST" "$TMP/compare.txt" <<'PY'
import sys
record, listf, comparef = sys.argv[1:4]
compared, found = set(), []
for line in open(record, encoding="utf-8"):
    cap, where, what = line.rstrip("\n").split("\t", 2)
    if where == "*":
        compared.add(cap)
    else:
        found.append(" | ".join((cap, where, what)))
listed = {}
try:
    lines = open(listf, encoding="utf-8").read().splitlines()
except FileNotFoundError:
    lines = []
for n, line in enumerate(lines, 1):
    if not line.strip() or line.startswith("#"):
        continue
    # the difference may hold " | " (binary bytes shown as text); the
    # reason may not
    f = line.split(" | ", 2)
    if len(f) < 3 or " | " not in f[2] or not f[2].rsplit(" | ", 1)[1].strip():
        sys.exit("corpus: %s:%d: want 'capture | connection | difference | reason'" % (listf, n))
    listed[" | ".join(f[:2] + [f[2].rsplit(" | ", 1)[0]])] = n
unlisted = [d for d in found if d not in listed]
gone = [(k, n) for k, n in listed.items() if k not in found and k.split(" | ")[0] in compared]
print("corpus: %d captures compared, %d disagreements, %d listed in %s" % (len(compared), len(found), len(listed), listf))
if unlisted:
    print("\ncorpus: FAIL: disagreements not listed (explain each in the list, or fix ftptrace):")
    for d in unlisted:
        print("  " + d)
if gone:
    print("\ncorpus: FAIL: listed disagreements that no longer occur (remove them from the list):")
    for k, n in gone:
        print("  line %d: %s" % (n, k))
if unlisted or gone:
    bad = {d.split(" | ")[0] for d in unlisted} | {k.split(" | ")[0] for k, n in gone}
    print("\nThe comparison of those captures:")
    for block in open(comparef, encoding="utf-8", errors="replace").read().split("=" * 78 + "\n"):
        if block.split("  ", 1)[0] in bad:
            print(block, end="")
    sys.exit(1)
print("corpus: OK: every disagreement with tshark is listed with its reason")
PY
