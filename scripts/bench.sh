#!/usr/bin/env bash
# bench.sh: ftptrace's end-to-end benchmark (make bench runs it).
#
# Captures (bench-data/NAME.pcap with the truth NAME.json), made when missing:
#   transfers-SIZE  tools/ftpbench-gen -profile transfers: few sessions, big files,
#                   half the bytes other protocols
#   sessions-SIZE   tools/ftpbench-gen -profile sessions: ~2 000 short sessions a second
#   recorded-SIZE   the second, independent source: a real vsftpd and the clients
#                   of scripts/bench-clients.py recorded in network namespaces
#                   (scripts/bench-record.sh, root; bench-data/recording.pcap),
#                   played to SIZE by tools/ftpbench-replay
# For each capture, N runs; in each run, one after the other: the read loop
# (tools/readloop), the floor (tools/workfloor), `ftptrace --json`, `ftptrace
# creds`, `ftptrace summary`, the same three of a build to compare with
# (BENCH_BEFORE), and tshark -z credentials (the first TSHARK_RUNS runs).
# Every ftptrace output is checked against the truth (tools/benchcheck). Each
# ftptrace run reports the collector's share of its CPU (FTPTRACE_GCSTATS).
# Then peak RSS on the first N MB of one capture read from a pipe (memory by
# length analysed), and how time grows with size. Results: BENCHMARKS.md.
#
# Environment:
#   BENCH_CAPTURES  default "transfers-200MB transfers-2GB sessions-60MB sessions-600MB recorded-2GB"
#   BENCH_RUNS      runs per capture (default 5 under 1 GB, 3 from 1 GB)
#   BENCH_BEFORE    another ftptrace binary, timed in the same runs (before/after)
#   BENCH_MEMORY    the capture of the memory-by-length rows (default: the
#                   largest recorded-*, else the largest)
#   TSHARK_RUNS     runs with tshark (default 3 under 1 GB, 1 from 1 GB; 0: none)
#   BENCH_SEED (1), BENCH_OUT (BENCHMARKS.md)
#   BENCH_DATA_ONLY=1 makes the captures and times nothing (make bench-data)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
CAPTURES=${BENCH_CAPTURES:-"transfers-200MB transfers-2GB sessions-60MB sessions-600MB recorded-2GB"}
SEED=${BENCH_SEED:-1}
OUT=${BENCH_OUT:-BENCHMARKS.md}
BEFORE=${BENCH_BEFORE:-}
DATA=bench-data
# The outputs go to memory (tmpfs) when there is one: writing gigabytes of
# JSON to a disk made the runs wait on the kernel's writeback, not on ftptrace.
TMP=$(mktemp -d -p /dev/shm 2>/dev/null || mktemp -d)
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
have_tshark=0
command -v tshark >/dev/null && have_tshark=1
if [ -n "$BEFORE" ]; then
  [ -x "$BEFORE" ] || { echo "BENCH_BEFORE=$BEFORE: not an executable"; exit 1; }
  BEFORE=$(realpath "$BEFORE")
fi

mkdir -p bin "$DATA"
go build -o bin/ftptrace ./cmd/ftptrace
for c in ftpbench-gen ftpbench-replay readloop workfloor benchcheck; do go build -o "bin/$c" "./tools/$c"; done

# spread prints the smallest and largest of its arguments, "min-max".
spread() { printf '%s\n' "$@" | sort -g | awk 'NR == 1 {lo = $1} {hi = $1} END {printf "%.2f-%.2f", lo, hi}'; }
# median prints the median of its arguments.
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
# calc evaluates an awk expression.
calc() { awk "BEGIN {print $1}"; }
# bytes_of SIZE prints a size such as 600MB or 2GB in bytes.
bytes_of() { awk -v s="$1" 'BEGIN {n = s + 0; u = substr(s, length(n "") + 1); print n * (u == "GB" ? 1e9 : u == "MB" ? 1e6 : 1)}'; }

# timed CMD...: runs CMD, sets T (wall seconds, from nanosecond clocks),
# M (peak RSS in KiB, from GNU time), RC (its exit status) and GC (the
# collector's share of the CPU, for ftptrace; empty for other commands).
timed() {
  local s e
  rm -f "$TMP/gc"
  s=$(date +%s%N)
  set +e
  FTPTRACE_GCSTATS=$TMP/gc /usr/bin/time -o "$TMP/time" -f '%e %M' "$@" >"$TMP/stdout" 2>"$TMP/stderr"
  RC=$?
  set -e
  e=$(date +%s%N)
  T=$(calc "($e - $s) / 1e9")
  M=$(awk 'END {print $2}' "$TMP/time")
  GC=$(sed -n 's/^gc_share=\([0-9.]*\) .*/\1/p' "$TMP/gc" 2>/dev/null || true)
}

# make_capture NAME: generates bench-data/NAME.pcap and its truth.
make_capture() {
  local name=$1 profile=${1%%-*} size=${1#*-} s
  s=$(date +%s%N)
  echo "making $DATA/$name.pcap"
  case $profile in
  transfers | sessions)
    bin/ftpbench-gen -profile "$profile" -size "$size" -seed "$SEED" -o "$DATA/$name.pcap" -truth "$DATA/$name.json" ;;
  recorded)
    if [ ! -s "$DATA/recording.pcap" ] || [ ! -s "$DATA/recording.json" ]; then
      [ "$(id -u)" = 0 ] || { echo "$name needs a recording (scripts/bench-record.sh, as root): sudo make bench"; exit 1; }
      bash scripts/bench-record.sh "$DATA/recording.pcap" "$DATA/recording.json"
    fi
    bin/ftpbench-replay -size "$size" -o "$DATA/$name.pcap" -truth "$DATA/$name.json" "$DATA/recording.pcap" "$DATA/recording.json" ;;
  *) echo "bench.sh: unknown capture $name (transfers-SIZE, sessions-SIZE or recorded-SIZE)"; exit 2 ;;
  esac
  echo "  made in $(calc "($(date +%s%N) - $s) / 1e9") s"
}

# check VIEW NAME: checks $TMP/out.VIEW against the truth of capture NAME;
# sets VERDICT, and FAILED=1 with the differences in bench-data/NAME.check.txt.
check() {
  local view=$1 name=$2 flag=
  case $view in creds) flag=-creds ;; summary) flag=-summary ;; esac
  set +e
  bin/benchcheck $flag -truth "$DATA/$name.json" <"$TMP/out.$view" >"$TMP/verdict"
  local st=$?
  set -e
  VERDICT=$(head -1 "$TMP/verdict")
  if [ "$RC" != 0 ] || [ "$st" != 0 ]; then
    FAILED=1 CHECK[$name]="MISMATCH (see $DATA/$name.check.txt)"
    { echo "$view: ftptrace exit $RC, benchcheck exit $st"; grep -v "^Command exited" "$TMP/stderr" | head -5 || true; cat "$TMP/verdict"; } >>"$DATA/$name.check.txt"
  fi
}

VIEWS=(json creds summary)
# view_args VIEW OUT: ftptrace's arguments for a view, writing to OUT.
view_args() {
  case $1 in
  json) echo "--json -o $2" ;;
  creds) echo "creds --width 0 -o $2" ;; # whole values, for benchcheck -creds
  *) echo "$1 -o $2" ;;
  esac
}

if [ "${BENCH_DATA_ONLY:-0}" = 1 ]; then # make bench-data: the captures, nothing timed
  for name in $CAPTURES; do
    [ -s "$DATA/$name.pcap" ] && [ -s "$DATA/$name.json" ] || make_capture "$name"
  done
  exit 0
fi

load=$(cut -d' ' -f1-3 /proc/loadavg)
commit="$(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD 2>/dev/null || echo ' with uncommitted changes')"
FAILED=0
declare -A T_ RSS GCS CHECK MBS PKTS SESS RUNS
# T_[name:tool] holds the run times, RSS[name:tool] the peak RSS (KiB),
# GCS[name:tool] the GC shares, space-separated; tools: readloop, floor,
# json, creds, summary, before-json..., tshark; R_[name:tool] the ratios
# to the read loop of the same run, TR_[name:view] tshark's time over the view's.
declare -A R_ TR_ BR_
for name in $CAPTURES; do
  pcap=$DATA/$name.pcap truth=$DATA/$name.json
  [ -s "$pcap" ] && [ -s "$truth" ] || make_capture "$name"
  bytes=$(stat -c %s "$pcap")
  MBS[$name]=$(calc "$bytes / 1e6")
  PKTS[$name]=$(awk -F'[:,]' '/"packets"/ {gsub(/ /,""); print $2; exit}' "$truth")
  SESS[$name]=$(grep -c '"client":' "$truth")
  runs=${BENCH_RUNS:-5} truns=${TSHARK_RUNS:-3}
  if [ "$bytes" -ge 1000000000 ]; then runs=${BENCH_RUNS:-3} truns=${TSHARK_RUNS:-1}; fi
  [ "$have_tshark" = 1 ] || truns=0
  RUNS[$name]=$runs
  CHECK[$name]=OK
  rm -f "$DATA/$name.check.txt"
  cat "$pcap" >/dev/null # warm the page cache, as every later run has it
  bin/readloop "$pcap" >/dev/null
  # The floor's totals checked against the truth once, not timed (reading
  # a truth of 176 000 sessions took a third of the floor's time): it hashed
  # the truth's bytes and saw a client open a control connection for each
  # of its sessions. Every timed run must then print the same totals (but
  # for the digest of the digests, which depends on which worker hashed
  # which block).
  floor_totals=$(bin/workfloor -truth "$truth" "$pcap" | sed 's/ ([0-9a-f]*)//') || { echo "workfloor failed its check against $truth"; exit 1; }
  for i in $(seq "$runs"); do
    timed bin/readloop "$pcap"
    [ "$RC" = 0 ] || { echo "readloop failed: $(cat "$TMP/stderr")"; exit 1; }
    rl=$T
    T_[$name:readloop]+="$T " RSS[$name:readloop]+="$M "
    line="  $name run $i: readloop $(printf %.2f "$T") s"
    # The floor: reading, finding each TCP payload, hashing the file data
    # and putting the control connections through gopacket's reassembler,
    # on both cores.
    timed bin/workfloor "$pcap"
    [ "$RC" = 0 ] || { echo "workfloor failed: $(grep -v '^Command exited' "$TMP/stderr")"; exit 1; }
    [ "$(sed 's/ ([0-9a-f]*)//' "$TMP/stdout")" = "$floor_totals" ] || { echo "workfloor gave other totals: $(cat "$TMP/stdout")"; exit 1; }
    T_[$name:floor]+="$T " R_[$name:floor]+="$(calc "$T / $rl") "
    line+=", floor x$(printf %.2f "$(calc "$T / $rl")")"
    for bin in bin/ftptrace $BEFORE; do
      prefix=
      [ "$bin" = bin/ftptrace ] || prefix=before-
      for v in "${VIEWS[@]}"; do
        # shellcheck disable=SC2046
        timed "$bin" $(view_args "$v" "$TMP/out.$v") "$pcap"
        tool=$prefix$v
        T_[$name:$tool]+="$T " RSS[$name:$tool]+="$M " GCS[$name:$tool]+="${GC:-0} " R_[$name:$tool]+="$(calc "$T / $rl") "
        check "$v" "$name"
        line+=", ${prefix}$v x$(printf %.2f "$(calc "$T / $rl")") gc $(printf %.0f "$(calc "${GC:-0} * 100")")%"
        [ "$VERDICT" = "${VERDICT#benchcheck: OK}" ] && line+=" ($VERDICT)"
      done
    done
    if [ -n "$BEFORE" ]; then
      for v in "${VIEWS[@]}"; do
        set -- ${T_[$name:$v]} && after=${!#}
        set -- ${T_[$name:before-$v]} && before=${!#}
        BR_[$name:$v]+="$(calc "$after / $before") "
      done
    fi
    if [ "$i" -le "$truns" ]; then
      timed tshark -n -q -z credentials -r "$pcap"
      [ "$RC" = 0 ] || { echo "tshark failed: $(head -3 "$TMP/stderr")"; exit 1; }
      T_[$name:tshark]+="$T " RSS[$name:tshark]+="$M " R_[$name:tshark]+="$(calc "$T / $rl") "
      for v in "${VIEWS[@]}" floor; do
        set -- ${T_[$name:$v]}
        TR_[$name:$v]+="$(calc "$T / ${!#}") "
      done
      line+=", tshark x$(printf %.1f "$(calc "$T / $rl")")"
    fi
    echo "$line"
  done
done

# Memory by length analysed: one capture's first N MB through a pipe
# (ftptrace reads '-'), `--json`, once each.
all=($CAPTURES)
mem=${BENCH_MEMORY:-}
if [ -z "$mem" ]; then
  for name in "${all[@]}"; do
    case $name in recorded-*) [ -z "$mem" ] || [ "$(bytes_of "${name#*-}")" -gt "$(bytes_of "${mem#*-}")" ] && mem=$name ;; esac
  done
fi
if [ -z "$mem" ]; then
  for name in "${all[@]}"; do
    [ -z "$mem" ] || [ "${MBS[$name]%.*}" -gt "${MBS[$mem]%.*}" ] && mem=$name
  done
fi
mem_rows=()
mem_mb=${MBS[$mem]%.*}
for n in 200 500 1000 1500 2000 4000 8000; do
  [ "$n" -le $((mem_mb * 101 / 100)) ] || continue
  row="| $n MB"
  for bin in $BEFORE bin/ftptrace; do
    set +e
    FTPTRACE_GCSTATS=$TMP/gc /usr/bin/time -o "$TMP/time" -f '%M' "$bin" --json -o "$TMP/prefix.jsonl" - < <(head -c "${n}000000" "$DATA/$mem.pcap") >/dev/null 2>"$TMP/stderr"
    rc=$?
    set -e
    # A prefix ends inside a record: ftptrace says so and exits 1, having
    # analysed everything before it.
    if [ "$rc" != 0 ] && ! { [ "$rc" = 1 ] && grep -q 'is cut short' "$TMP/stderr"; }; then
      echo "ftptrace on the first $n MB of $mem failed: $(head -3 "$TMP/stderr")"; exit 1
    fi
    m=$(tail -1 "$TMP/time")
    gc=$(sed -n 's/^gc_share=\([0-9.]*\) .*/\1/p' "$TMP/gc")
    printf '  first %5d MB of %s (%s): peak RSS %d MiB, GC %.0f%%\n' "$n" "$mem" "$bin" "$((m / 1024))" "$(calc "$gc * 100")"
    row+=" | $((m / 1024)) MiB | $(printf %.0f "$(calc "$gc * 100")") %"
  done
  mem_rows+=("$row |")
done

# Cells of the tables.
med() { median ${T_[$1]}; }
ratio() { printf '**%.2f** (%s)' "$(median ${R_[$1]})" "$(spread ${R_[$1]})"; }
mib() { printf '%.0f' "$(calc "$(median ${RSS[$1]}) / 1024")"; }
gcp() { printf '%.0f %%' "$(calc "$(median ${GCS[$1]}) * 100")"; }
mbps() { printf '%.0f' "$(calc "${MBS[$1]} / $(med "$1:$2")")"; }

# The blocks other scripts and people write into the file (bench-live.sh's
# table between <!-- live --> and <!-- /live -->, the profiles and notes
# between <!-- notes --> and <!-- /notes -->) are kept, after the tables.
kept=$(awk '/^<!-- (live|notes) -->/ {keep = 1} keep {print} /^<!-- \/(live|notes) -->/ {keep = 0; print ""}' "$OUT" 2>/dev/null || true)
{
  echo "# Benchmarks"
  echo
  echo "Written by \`make bench\` (scripts/bench.sh) on $(date -u '+%Y-%m-%d %H:%M UTC'); regenerate rather than edit."
  echo
  echo "- Machine: $(nproc) CPUs, $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(free -g | awk '/^Mem/ {print $2}') GB RAM, Linux $(uname -r); load average $load at the start"
  echo "- $(go version)"
  echo "- ftptrace: commit $commit"
  [ -n "$BEFORE" ] && echo "- before: \`$BENCH_BEFORE\` ($("$BEFORE" --version 2>/dev/null | head -1 || true)), timed in the same runs"
  echo "- Command: \`BENCH_CAPTURES=\"$CAPTURES\"${BENCH_BEFORE:+ BENCH_BEFORE=$BENCH_BEFORE} make bench\`"
  echo
  echo "Captures (\`bench-data/NAME.pcap\`, each with its truth):"
  echo "\`transfers-SIZE\` \`bin/ftpbench-gen -profile transfers -size SIZE -seed $SEED\` (few sessions,"
  echo "files up to 4 MiB, half the bytes HTTP-, SSH- and DNS-like);"
  echo "\`sessions-SIZE\` \`bin/ftpbench-gen -profile sessions\` (about 2 000 short sessions a second:"
  echo "logins a third failed, a RETR of at most 2 KiB or a short LIST or nothing, ended by QUIT, FIN or RST from either side, 10 % IPv6);"
  echo "\`recorded-SIZE\`, the second, independent source: a real vsftpd and the clients of"
  echo "\`scripts/bench-clients.py\` recorded in network namespaces (\`scripts/bench-record.sh\`: sessions"
  echo "reset by the client or the server, closed without QUIT, left idle through the capture, passwords"
  echo "longer than vsftpd takes), played to SIZE by \`bin/ftpbench-replay\`."
  echo
  echo "Each run is the whole process on a capture in the page cache, one tool after the other in"
  echo "every run: the read loop (\`bin/readloop FILE\`: pcapgo \`ReadPacketData\` over a 1 MiB"
  echo "bufio.Reader), the floor (\`bin/workfloor\`: reading, the SHA-256 of every transfer and the control"
  echo "connections through gopacket's reassembler, their lines counted, on both cores, nothing else),"
  echo "then \`bin/ftptrace --json -o OUT FILE\` (the full analysis, SHA-256 of every transfer),"
  echo "\`ftptrace creds -o OUT FILE\` and \`ftptrace summary -o OUT FILE\` (OUT in /dev/shm), each output checked against the truth after the run (\`bin/benchcheck\`, not timed:"
  echo "every session with its user, login and end, credential, transfer with its SHA-256, and the"
  echo "packet and byte totals; the creds view's rows; the summary's totals), and \`tshark -n -q -z"
  echo "credentials -r FILE\` in the first runs. **× read loop** is the median of the per-run ratios"
  echo "to the read loop of the same run, the smallest and largest in parentheses (trust the ratios"
  echo "over absolute times, which move with the machine's load). MB = 10⁶ bytes of pcap file."
  echo
  echo "| capture | MB | packets | sessions | runs | read loop | \`--json\` × read loop | \`creds\` × read loop | \`summary\` × read loop | floor × read loop | \`--json\` ÷ floor | check |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
  for n in $CAPTURES; do
    printf '| %s | %.0f | %s | %s | %s | %s MB/s | %s | %s | %s | %s | %.2f | %s |\n' "$n" "${MBS[$n]}" "${PKTS[$n]}" "${SESS[$n]}" "${RUNS[$n]}" \
      "$(mbps "$n" readloop)" "$(ratio "$n:json")" "$(ratio "$n:creds")" "$(ratio "$n:summary")" "$(ratio "$n:floor")" \
      "$(calc "$(med "$n:json") / $(med "$n:floor")")" "${CHECK[$n]}"
  done
  echo
  echo "Memory and the collector: peak RSS (GNU time's maximum resident set size, median of the"
  echo "runs), and the collector's share of the CPU each ftptrace run used (\`FTPTRACE_GCSTATS\`:"
  echo "runtime/metrics' GC CPU time over GC + Go code + scavenger; median of the runs):"
  echo
  echo "| capture | read loop RSS | \`--json\` RSS | \`creds\` RSS | \`summary\` RSS | tshark RSS | \`--json\` GC | \`creds\` GC | \`summary\` GC |"
  echo "|---|---|---|---|---|---|---|---|---|"
  for n in $CAPTURES; do
    ts="-"
    [ -n "${RSS[$n:tshark]:-}" ] && ts="$(mib "$n:tshark") MiB"
    printf '| %s | %s MiB | %s MiB | %s MiB | %s MiB | %s | %s | %s | %s |\n' "$n" "$(mib "$n:readloop")" "$(mib "$n:json")" "$(mib "$n:creds")" \
      "$(mib "$n:summary")" "$ts" "$(gcp "$n:json")" "$(gcp "$n:creds")" "$(gcp "$n:summary")"
  done
  if [ "$have_tshark" = 1 ]; then
    echo
    echo "Against tshark ($(tshark --version | head -1 | sed 's/\.$//')), \`tshark -n -q -z credentials\` in the same"
    echo "runs: how many times ftptrace's time tshark takes (median of the runs); tshark ÷ floor is the"
    echo "most any analyser that does the floor's work could reach on this machine:"
    echo
    echo "| capture | runs | tshark | tshark × read loop | tshark ÷ \`--json\` | tshark ÷ \`creds\` | tshark ÷ \`summary\` | tshark ÷ floor |"
    echo "|---|---|---|---|---|---|---|---|"
    for n in $CAPTURES; do
      [ -n "${T_[$n:tshark]:-}" ] || continue
      set -- ${T_[$n:tshark]}
      printf '| %s | %d | %s MB/s | %s | **%.1f** | **%.1f** | **%.1f** | %.1f |\n' "$n" $# "$(mbps "$n" tshark)" "$(ratio "$n:tshark")" \
        "$(median ${TR_[$n:json]})" "$(median ${TR_[$n:creds]})" "$(median ${TR_[$n:summary]})" "$(median ${TR_[$n:floor]})"
    done
  fi
  if [ -n "$BEFORE" ]; then
    echo
    echo "Before and after, in the same runs: each view of the build before (\`BENCH_BEFORE\`) and of"
    echo "this one, as multiples of the read loop; *after ÷ before* is the median of the per-run"
    echo "ratios (below 1: faster now):"
    echo
    echo "| capture | view | before × read loop | after × read loop | after ÷ before | before RSS | after RSS | before GC | after GC |"
    echo "|---|---|---|---|---|---|---|---|---|"
    for n in $CAPTURES; do
      for v in "${VIEWS[@]}"; do
        printf '| %s | %s | %s | %s | **%.2f** (%s) | %s MiB | %s MiB | %s | %s |\n' "$n" "$v" "$(ratio "$n:before-$v")" "$(ratio "$n:$v")" \
          "$(median ${BR_[$n:$v]})" "$(spread ${BR_[$n:$v]})" "$(mib "$n:before-$v")" "$(mib "$n:$v")" "$(gcp "$n:before-$v")" "$(gcp "$n:$v")"
      done
    done
  fi
  echo
  echo "Linearity: how time grows with the capture, between the smallest and largest capture of each"
  echo "kind (1.00 is linear: time in proportion to bytes; the session-heavy captures grow in sessions"
  echo "with their bytes):"
  echo
  echo "| captures | × bytes | \`--json\` × time | \`creds\` × time | \`summary\` × time |"
  echo "|---|---|---|---|---|"
  for kind in transfers sessions recorded; do
    lo= hi=
    for n in $CAPTURES; do
      [ "${n%%-*}" = "$kind" ] || continue
      [ -z "$lo" ] || [ "${MBS[$n]%.*}" -lt "${MBS[$lo]%.*}" ] && lo=$n
      [ -z "$hi" ] || [ "${MBS[$n]%.*}" -gt "${MBS[$hi]%.*}" ] && hi=$n
    done
    [ -n "$lo" ] && [ "$lo" != "$hi" ] || continue
    printf '| %s → %s | %.2f | %.2f | %.2f | %.2f |\n' "$lo" "$hi" "$(calc "${MBS[$hi]} / ${MBS[$lo]}")" \
      "$(calc "$(med "$hi:json") / $(med "$lo:json")")" "$(calc "$(med "$hi:creds") / $(med "$lo:creds")")" \
      "$(calc "$(med "$hi:summary") / $(med "$lo:summary")")"
  done
  echo
  echo "Memory by length analysed: \`bin/ftptrace --json -o OUT -\` reading the first N MB of $mem"
  echo "from a pipe, once each: peak RSS and the collector's share of the CPU."
  echo
  if [ -n "$BEFORE" ]; then
    echo "| analysed | before RSS | before GC | after RSS | after GC |"
    echo "|---|---|---|---|---|"
  else
    echo "| analysed | ftptrace RSS | GC |"
    echo "|---|---|---|"
  fi
  printf '%s\n' "${mem_rows[@]}"
  if [ -n "$kept" ]; then
    echo
    echo "$kept"
  fi
} >"$OUT.new"
mv "$OUT.new" "$OUT"
echo
cat "$OUT"
exit "$FAILED"
