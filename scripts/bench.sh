#!/usr/bin/env bash
# bench.sh: ftptrace's end-to-end benchmark (make bench runs it).
#
# Generates the synthetic captures under bench-data/ when missing
# (tools/ftpbench-gen, deterministic by seed), then for each size runs the read
# loop (tools/readloop), the least work any full analysis must do
# (tools/workfloor), `ftptrace --json -o OUT FILE` and the password audit
# `ftptrace creds -o OUT FILE` alternately, N times, checks every ftptrace
# result against the generator's truth, and
# reports medians: MB/s, packets/s, peak RSS, ftptrace's time as a multiple
# of the read loop's, how time grows with size, and peak RSS on the first N MB
# of the largest capture (where memory stops growing). When tshark is installed
# it is compared on the largest capture (`tshark -q -z credentials`, slow:
# two pairs). The results are written to BENCHMARKS.md.
#
# Environment: BENCH_SIZES (default "200MB 2GB"), BENCH_SEED (default 1),
#              BENCH_RUNS (override the runs per size), BENCH_OUT (default
#              BENCHMARKS.md), TSHARK_PAIRS (default 2; 0 skips tshark),
#              TSHARK_SIZE (the capture tshark runs on; default the largest).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
SIZES=${BENCH_SIZES:-"200MB 2GB"}
SEED=${BENCH_SEED:-1}
OUT=${BENCH_OUT:-BENCHMARKS.md}
TSHARK_PAIRS=${TSHARK_PAIRS:-2}
set -- $SIZES
first=$1 last=${!#} # the smallest and the largest capture
tshark_given=${TSHARK_SIZE:-}
TSHARK_SIZE=${TSHARK_SIZE:-$last}
DATA=bench-data
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

if [ ! -x /usr/bin/time ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing time (GNU time measures peak RSS)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null ||
      { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null; }
  else
    echo "bench.sh needs GNU time for peak RSS: sudo apt-get install time"; exit 1
  fi
fi

mkdir -p bin "$DATA"
go build -o bin/ftptrace ./cmd/ftptrace
for c in ftpbench-gen readloop workfloor benchcheck; do go build -o "bin/$c" "./tools/$c"; done

# spread prints the smallest and largest of its arguments, "min-max".
spread() { printf '%s\n' "$@" | sort -g | awk 'NR == 1 {lo = $1} {hi = $1} END {printf "%.2f-%.2f", lo, hi}'; }
# median prints the median of its arguments.
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
# calc evaluates an awk expression.
calc() { awk "BEGIN {print $1}"; }

# timed CMD...: runs CMD, sets T (wall seconds, from nanosecond clocks) and
# M (peak RSS in KiB, from GNU time) and RC (its exit status).
timed() {
  local s e
  s=$(date +%s%N)
  set +e
  /usr/bin/time -o "$TMP/time" -f '%e %M' "$@" >"$TMP/stdout" 2>"$TMP/stderr"
  RC=$?
  set -e
  e=$(date +%s%N)
  T=$(calc "($e - $s) / 1e9")
  M=$(awk 'END {print $2}' "$TMP/time")
}

load=$(cut -d' ' -f1-3 /proc/loadavg)
# What is measured, noted before anything is written (BENCHMARKS.md itself
# is rewritten at the end).
commit="$(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD 2>/dev/null || echo ' with uncommitted changes')"
command="make bench"
[ -n "${BENCH_SIZES:-}" ] && command="BENCH_SIZES=\"$BENCH_SIZES\" $command"
[ -n "$tshark_given" ] && command="TSHARK_SIZE=$TSHARK_SIZE $command"
rows=() creds_rows=() floor_rows=() tshark_rows=() failed=0
declare -A secs bytes
for size in $SIZES; do
  pcap=$DATA/$size.pcap truth=$DATA/$size.json
  if [ ! -s "$pcap" ] || [ ! -s "$truth" ]; then
    echo "generating $pcap"
    s=$(date +%s%N)
    bin/ftpbench-gen -size "$size" -seed "$SEED" -o "$pcap" -truth "$truth"
    echo "  generated in $(calc "($(date +%s%N) - $s) / 1e9") s"
  fi
  runs=${BENCH_RUNS:-5}
  [ "${size%GB}" != "$size" ] && runs=${BENCH_RUNS:-3}
  file_bytes=$(stat -c %s "$pcap")
  packets=$(awk -F'[:,]' '/"packets"/ {gsub(/ /,""); print $2; exit}' "$truth")
  cat "$pcap" >/dev/null # warm the page cache, as every later run has it
  bin/readloop "$pcap" >/dev/null
  rl_t=() rl_m=() ft_t=() ft_m=() ratio=() cr_t=() cr_m=() cr_ratio=() fl_t=() fl_ratio=()
  check=OK
  rm -f "$DATA/$size.check.txt"
  for i in $(seq "$runs"); do
    timed bin/readloop "$pcap"
    rl_t+=("$T") rl_m+=("$M")
    [ "$RC" = 0 ] || { echo "readloop failed: $(cat "$TMP/stderr")"; exit 1; }
    # The floor: reading, finding each TCP payload and hashing the file
    # data, on both cores, and nothing else; it checks that it hashed
    # exactly the truth's transfer bytes.
    timed bin/workfloor -truth "$truth" "$pcap"
    [ "$RC" = 0 ] || { echo "workfloor failed: $(grep -v '^Command exited' "$TMP/stderr")"; exit 1; }
    fl_t+=("$T") fl_ratio+=("$(calc "$T / ${rl_t[-1]}")")
    printf '  %-6s run %d: workfloor %.3f s (x%.2f)\n' "$size" "$i" "$T" "${fl_ratio[-1]}"
    # ftptrace alone is timed, writing its JSON Lines to a file; benchcheck
    # then checks that file against the truth (not timed: on two cores it
    # would take CPU from the run it checks).
    timed bin/ftptrace --json -o "$TMP/out.jsonl" "$pcap"
    set +e
    bin/benchcheck -truth "$truth" <"$TMP/out.jsonl" >"$TMP/verdict"
    st=("$RC" "$?")
    set -e
    ft_t+=("$T") ft_m+=("$M") ratio+=("$(calc "$T / ${rl_t[-1]}")")
    verdict=$(head -1 "$TMP/verdict")
    if [ "${st[0]}" != 0 ] || [ "${st[1]}" != 0 ]; then
      failed=1 check="MISMATCH (see $DATA/$size.check.txt)"
      { echo "ftptrace exit ${st[0]}, benchcheck exit ${st[1]}"; grep -v '^Command exited' "$TMP/stderr" | head -5
        cat "$TMP/verdict"; } >"$DATA/$size.check.txt"
    fi
    printf '  %-6s run %d: readloop %.3f s, ftptrace %.3f s (x%.2f)  %s\n' \
      "$size" "$i" "${rl_t[-1]}" "$T" "${ratio[-1]}" "$verdict"
    # The password audit: the creds view, which needs no SHA-256 (only the
    # JSON shows it), checked against the truth's credentials.
    timed bin/ftptrace creds -o "$TMP/creds.txt" "$pcap"
    set +e
    bin/benchcheck -creds -truth "$truth" <"$TMP/creds.txt" >"$TMP/verdict"
    st=("$RC" "$?")
    set -e
    cr_t+=("$T") cr_m+=("$M") cr_ratio+=("$(calc "$T / ${rl_t[-1]}")")
    if [ "${st[0]}" != 0 ] || [ "${st[1]}" != 0 ]; then
      failed=1 check="MISMATCH (see $DATA/$size.check.txt)"
      { echo "ftptrace creds exit ${st[0]}, benchcheck -creds exit ${st[1]}"; cat "$TMP/verdict"; } >>"$DATA/$size.check.txt"
    fi
    printf '  %-6s run %d: ftptrace creds %.3f s (x%.2f)  %s\n' "$size" "$i" "$T" "${cr_ratio[-1]}" "$(head -1 "$TMP/verdict")"
  done
  mb=$(calc "$file_bytes / 1e6")
  rt=$(median "${rl_t[@]}") ftt=$(median "${ft_t[@]}") r=$(median "${ratio[@]}")
  secs[$size]=$ftt bytes[$size]=$file_bytes
  rows+=("$(printf '| %s | %.0f | %s | %d | %.0f MB/s | %.0f MB/s | %.0f | %.0f MiB | %.0f MiB | **%.2f** (%s) | %s |' \
    "$size" "$(calc "$mb")" "$packets" "$runs" "$(calc "$mb / $rt")" "$(calc "$mb / $ftt")" \
    "$(calc "$packets / $ftt")" "$(calc "$(median "${rl_m[@]}") / 1024")" "$(calc "$(median "${ft_m[@]}") / 1024")" "$r" \
    "$(spread "${ratio[@]}")" "$check")")
  crt=$(median "${cr_t[@]}") flt=$(median "${fl_t[@]}")
  floor_rows+=("$(printf '| %s | %d | %.0f MB/s | %.0f MB/s | **%.2f** (%s) | %.0f MB/s | **%.2f** |' \
    "$size" "$runs" "$(calc "$mb / $rt")" "$(calc "$mb / $flt")" "$(median "${fl_ratio[@]}")" "$(spread "${fl_ratio[@]}")" \
    "$(calc "$mb / $ftt")" "$(calc "$ftt / $flt")")")
  creds_rows+=("$(printf '| %s | %d | %.0f MB/s | %.0f MB/s | %.0f MiB | **%.2f** (%s) |' \
    "$size" "$runs" "$(calc "$mb / $rt")" "$(calc "$mb / $crt")" "$(calc "$(median "${cr_m[@]}") / 1024")" "$(median "${cr_ratio[@]}")" \
    "$(spread "${cr_ratio[@]}")")")

  if [ "$size" = "$TSHARK_SIZE" ] && [ "$TSHARK_PAIRS" -gt 0 ] && command -v tshark >/dev/null; then
    tt=() tm=() tr=()
    for i in $(seq "$TSHARK_PAIRS"); do
      timed bin/ftptrace --json -o "$TMP/out.jsonl" "$pcap"
      f=$T
      timed tshark -n -q -z credentials -r "$pcap"
      tt+=("$T") tm+=("$M") tr+=("$(calc "$T / $f")")
      printf '  %-6s tshark pair %d: ftptrace %.2f s, tshark %.2f s (x%.1f)\n' "$size" "$i" "$f" "$T" "${tr[-1]}"
    done
    t=$(median "${tt[@]}")
    tshark_rows+=("$(printf '| `tshark -n -q -z credentials` | %s | %d | %.0f MB/s | %.0f MiB | %.1f | %.1f |' \
      "$size" "$TSHARK_PAIRS" "$(calc "$mb / $t")" "$(calc "$(median "${tm[@]}") / 1024")" \
      "$(calc "$t / $rt")" "$(median "${tr[@]}")")")
    tshark_version=$(tshark --version | head -1 | sed 's/\.$//')
  fi
done

# Memory by length analysed: the largest capture's first N MB through a pipe
# (ftptrace reads '-'), once each: peak RSS as the analysis goes on, to show
# where it stops growing.
mem_rows=()
largest=$DATA/$last.pcap
largest_mb=$(( $(stat -c %s "$largest") / 1000000 ))
for n in 200 500 1000 1500 2000 4000 8000; do
  [ "$n" -le $((largest_mb * 101 / 100)) ] || continue # the whole capture for the last
  set +e
  /usr/bin/time -o "$TMP/time" -f '%M' bin/ftptrace --json -o "$TMP/prefix.jsonl" - < <(head -c "${n}000000" "$largest") >/dev/null 2>"$TMP/stderr"
  rc=$?
  set -e
  # A prefix ends inside a record: ftptrace says so and exits 1, having
  # analysed everything before it.
  if [ "$rc" != 0 ] && ! { [ "$rc" = 1 ] && grep -q 'is cut short' "$TMP/stderr"; }; then
    echo "ftptrace on the first $n MB of $largest failed: $(head -3 "$TMP/stderr")"; exit 1
  fi
  m=$(tail -1 "$TMP/time")
  printf '  first %5d MB of %s: peak RSS %d MiB\n' "$n" "$last" "$((m / 1024))"
  mem_rows+=("$(printf '| %d MB | %d MiB |' "$n" "$((m / 1024))")")
done

# Linearity: time per byte of the largest capture over that of the smallest.
linear="only one size measured"
if [ "$first" != "$last" ]; then
  linear=$(printf '%s takes %.2f× the time of %s for %.2f× the bytes: time per byte ×%.2f (1.00 is linear)' \
    "$last" "$(calc "${secs[$last]} / ${secs[$first]}")" "$first" "$(calc "${bytes[$last]} / ${bytes[$first]}")" \
    "$(calc "(${secs[$last]} / ${secs[$first]}) / (${bytes[$last]} / ${bytes[$first]})")")
fi

{
  echo "# Benchmarks"
  echo
  echo "Written by \`make bench\` (scripts/bench.sh) on $(date -u '+%Y-%m-%d %H:%M UTC'); regenerate rather than edit."
  echo
  echo "- Machine: $(nproc) CPUs, $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(free -g | awk '/^Mem/ {print $2}') GB RAM, Linux $(uname -r); load average $load at the start"
  echo "- $(go version)"
  echo "- ftptrace: commit $commit"
  echo "- Command: \`$command\` (captures: \`bin/ftpbench-gen -size SIZE -seed $SEED -o bench-data/SIZE.pcap\`)"
  echo
  echo "Each run is the whole process on a capture in the page cache: the read loop"
  echo "(\`bin/readloop FILE\`: pcapgo \`ReadPacketData\` over a 1 MiB bufio.Reader) and"
  echo "\`bin/ftptrace --json -o OUT FILE\` (the full analysis: every view's data, SHA-256 of"
  echo "every transfer; then \`bin/benchcheck -truth FILE.json <OUT\`, not timed), run"
  echo "alternately; times are wall clock, medians;"
  echo "**× read loop** is the median of the per-pair ratios, the smallest and largest in parentheses (trust it over absolute times, which"
  echo "move with the machine's load). Peak RSS is GNU time's maximum resident set size."
  echo "MB = 10⁶ bytes of pcap file. *check*: benchcheck compared every session, credential"
  echo "(user, password, outcome), transfer (command, mode, announcement, bytes, SHA-256) and the"
  echo "packet and byte totals with the generator's truth."
  echo
  echo "| capture | MB | packets | runs | read loop | ftptrace | ftptrace packets/s | read loop RSS | ftptrace RSS | × read loop | check |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|"
  printf '%s\n' "${rows[@]}"
  echo
  echo "The password audit, \`bin/ftptrace creds -o OUT FILE\`, timed in the same alternation (after"
  echo "each ftptrace run; checked with \`bin/benchcheck -creds\`: one row per credential of the"
  echo "truth, every user and password shown). Only the JSON shows the transfers' SHA-256, so the"
  echo "other views skip hashing, the largest single cost per byte:"
  echo
  echo "| capture | runs | read loop | ftptrace creds | ftptrace creds RSS | × read loop |"
  echo "|---|---|---|---|---|---|"
  printf '%s\n' "${creds_rows[@]}"
  echo
  echo "The floor: \`bin/workfloor -truth FILE.json FILE\` does only the work no full analysis"
  echo "can skip: it reads the file (1 MiB blocks, no copy per packet), finds every packet's TCP"
  echo "payload and computes SHA-256 over the payloads of the file transfers (it knows the"
  echo "generator's ports, and fails unless it hashed exactly the truth's transfer bytes), on"
  echo "both cores with nothing tracked, reassembled, parsed or written. Timed in the same"
  echo "alternation; its × read loop is the best any analyser that hashes every transfer could"
  echo "reach here, and *ftptrace ÷ floor* is what following the connections and the FTP"
  echo "sessions and writing the JSON add to it:"
  echo
  echo "| capture | runs | read loop | floor | floor × read loop | ftptrace \`--json\` | ftptrace ÷ floor |"
  echo "|---|---|---|---|---|---|---|"
  printf '%s\n' "${floor_rows[@]}"
  echo
  echo "Linearity: $linear."
  echo
  echo "Memory as the analysis goes on: \`bin/ftptrace --json -o OUT -\` reading the first N MB of"
  echo "the $last capture from a pipe, once each, peak RSS. It grows while the sessions open at"
  echo "once and the analysis's buffers fill, then stays; the size of the capture does not count:"
  echo
  echo "| analysed | ftptrace RSS |"
  echo "|---|---|"
  printf '%s\n' "${mem_rows[@]}"
  if [ ${#tshark_rows[@]} -gt 0 ]; then
    echo
    echo "Against tshark ($tshark_version), alternated with ftptrace, median of the pairs:"
    echo
    echo "| tool | capture | pairs | speed | peak RSS | × read loop | tshark time ÷ ftptrace time |"
    echo "|---|---|---|---|---|---|---|"
    printf '%s\n' "${tshark_rows[@]}"
  fi
} >"$OUT"
echo
cat "$OUT"
exit "$failed"
