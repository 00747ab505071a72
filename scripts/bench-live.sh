#!/usr/bin/env bash
# bench-live.sh: live capture at full speed (make bench-live, root; issue 21).
#
# In a network namespace of its own (ftpb-live), on that namespace's own
# loopback, a real vsftpd serves a large file and curl downloads it as fast
# as it can (or at LIVE_RATE), while one capture runs on lo with the same
# kernel buffer: `ftptrace -i lo -B KIB --json` (the full analysis, SHA-256
# of the transfer) in one round, `tcpdump -i lo -B KIB -w FILE` in the next,
# alternately, LIVE_RUNS times each. Reported: the packets each saw and the
# kernel dropped (libpcap's counts), and for ftptrace how much of the
# transfer it saw (bytes, verdict). The table goes into BENCHMARKS.md
# between the marks <!-- live --> and <!-- /live --> (bench.sh keeps it).
#
#     sudo bash scripts/bench-live.sh
#
# Environment: LIVE_FTPTRACE (bin/ftptrace, built; another binary to measure
# another build: one without -B captures with its own buffer, said in the
# table), LIVE_SIZE (1500M: the file, as truncate -s takes it),
# LIVE_BUFFERS (KiB, "32768 262144"), LIVE_RUNS (3), LIVE_RATE (curl
# --limit-rate: empty for full speed; "800M" ...), BENCH_OUT (BENCHMARKS.md).
# Only the processes this script started are signalled, by PID; the
# namespace is removed at the end.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
[ "$(id -u)" = 0 ] || { echo "bench-live.sh: must run as root (a network namespace, vsftpd, capture)" >&2; exit 1; }
SIZE=${LIVE_SIZE:-1500M} BUFFERS=${LIVE_BUFFERS:-"32768 262144"} RUNS=${LIVE_RUNS:-3} RATE=${LIVE_RATE:-}
OUT=${BENCH_OUT:-BENCHMARKS.md}
NS=ftpb-live USER_=ftpbench PASS_=bench-pass-7f3k SERVED=/srv/ftpbench-live
export PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:$PATH" LC_ALL=C
for c in vsftpd tcpdump curl nsenter; do
  command -v "$c" >/dev/null && continue
  pkg=$c
  [ "$c" = nsenter ] && pkg=util-linux
  echo "installing $pkg"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$pkg" >/dev/null ||
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$pkg" >/dev/null; }
done
FTPTRACE=${LIVE_FTPTRACE:-}
if [ -z "$FTPTRACE" ]; then
  go build -o bin/ftptrace ./cmd/ftptrace
  FTPTRACE=$ROOT/bin/ftptrace
fi
FTPTRACE=$(realpath "$FTPTRACE")
# (the help is read whole first: grep -q would end the pipe early, and
# under pipefail the writer's SIGPIPE would read as "no -B")
has_B=0
help=$("$FTPTRACE" -h 2>&1 || true)
grep -q '^ *-B ' <<<"$help" && has_B=1

WORK=$(mktemp -d /tmp/ftpbench-live.XXXXXX)
chmod 755 "$WORK"
# tcpdump's file goes to memory when it can (/dev/shm): its best case, a
# disk's writeback never stalls it (on a disk it dropped thousands more).
PCAP=$WORK/cap.pcap
if [ -d /dev/shm ] && [ "$(df --output=avail -k /dev/shm | tail -1)" -gt $((4 << 20)) ]; then
  PCAP=$(mktemp /dev/shm/ftpbench-live.XXXXXX.pcap)
  chmod 666 "$PCAP" # tcpdump writes it as the user it drops to
fi
PIDS=()
# IN runs a command in the namespace; nsenter execs it, so $! is its PID.
IN="nsenter --net=/run/netns/$NS --"
cleanup() {
  local rc=$? pid
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  ip netns del $NS 2>/dev/null || true
  rm -rf "$SERVED"
  rm -f "$PCAP"
  if [ "$rc" != 0 ]; then echo "bench-live.sh: failed; logs kept in $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

id -u $USER_ >/dev/null 2>&1 || useradd --no-create-home --home-dir $SERVED --shell /bin/bash $USER_
echo "$USER_:$PASS_" | chpasswd
rm -rf $SERVED && mkdir -p $SERVED
truncate -s "$SIZE" $SERVED/big.bin # sparse: the server reads it from memory, not from the disk
chown -R $USER_ $SERVED
bytes=$(stat -c %s $SERVED/big.bin)

ip netns del $NS 2>/dev/null || true
ip netns add $NS
$IN ip link set lo up
mkdir -p /var/run/vsftpd/empty
cat >"$WORK/vsftpd.conf" <<EOF
listen=YES
listen_address=127.0.0.1
listen_port=21
background=NO
anonymous_enable=NO
local_enable=YES
local_root=$SERVED
pasv_enable=YES
pasv_min_port=40000
pasv_max_port=40100
pam_service_name=vsftpd
secure_chroot_dir=/var/run/vsftpd/empty
seccomp_sandbox=NO
isolate=NO
isolate_network=NO
syslog_enable=NO
xferlog_enable=NO
EOF
$IN vsftpd "$WORK/vsftpd.conf" >"$WORK/vsftpd.log" 2>&1 </dev/null &
PIDS+=($!)
for i in $(seq 50); do
  [ -n "$($IN ss -Hltn 'sport = :21')" ] && break
  [ "$i" = 50 ] && { echo "bench-live.sh: vsftpd does not listen" >&2; exit 1; }
  sleep 0.1
done

# download: one transfer of the file, as fast as curl goes (or at RATE).
download() {
  local s e
  s=$(date +%s%N)
  $IN curl -s -o /dev/null ${RATE:+--limit-rate $RATE} "ftp://$USER_:$PASS_@127.0.0.1/big.bin"
  e=$(date +%s%N)
  MBPS=$(awk "BEGIN {printf \"%.0f\", $bytes / (($e - $s) / 1e9) / 1e6}")
}

# capture TOOL KIB: one round with TOOL capturing on lo; sets SEEN, DROPS,
# MBPS and, for ftptrace, GOT (the transfer as it saw it).
capture() {
  local tool=$1 kib=$2 pid i
  rm -f "$WORK/cap.err" "$WORK/cap.out" "$PCAP"
  case $tool in
  ftptrace)
    if [ $has_B = 1 ]; then
      $IN "$FTPTRACE" -i lo -B "$kib" --json >"$WORK/cap.out" 2>"$WORK/cap.err" &
    else # a build without -B: its own buffer
      $IN "$FTPTRACE" -i lo --json >"$WORK/cap.out" 2>"$WORK/cap.err" &
    fi ;;
  tcpdump) $IN tcpdump -i lo -n -s 0 -B "$kib" -w "$PCAP" tcp >"$WORK/cap.out" 2>"$WORK/cap.err" & ;;
  esac
  pid=$!
  PIDS+=($pid)
  for i in $(seq 100); do
    grep -q -e 'capturing on' -e 'listening on' "$WORK/cap.err" 2>/dev/null && break
    [ "$i" = 100 ] && { echo "bench-live.sh: $tool does not start: $(cat "$WORK/cap.err")" >&2; exit 1; }
    sleep 0.05
  done
  download
  sleep 2 # the last packets through the ring, the session's end
  # Peak RSS so far (VmHWM): the kernel's buffer, mapped by libpcap, and for
  # ftptrace the ring it grew while the analysis lagged.
  RSS=$(awk '/^VmHWM:/ {printf "%d MiB", $2 / 1024}' "/proc/$pid/status" 2>/dev/null || true)
  kill -TERM $pid # (SIGINT is ignored by a background job of a script)
  wait $pid || true
  PIDS=("${PIDS[@]/$pid/}")
  case $tool in
  ftptrace)
    SEEN=$(sed -n 's/.*"type":"summary".*"received":\([0-9]*\).*/\1/p' "$WORK/cap.out")
    DROPS=$(sed -n 's/.*"type":"summary".*"dropped_by_kernel":\([0-9]*\).*/\1/p' "$WORK/cap.out")
    GOT=$(grep '"type":"transfer"' "$WORK/cap.out" | grep '"command":"RETR"' |
      sed -n 's/.*"bytes":\([0-9]*\).*"verdict":"\([a-z ]*\)".*/\1 B \2/p' | head -1)
    ;;
  tcpdump)
    SEEN=$(sed -n 's/^\([0-9]*\) packets received by filter/\1/p' "$WORK/cap.err")
    DROPS=$(sed -n 's/^\([0-9]*\) packets dropped by kernel/\1/p' "$WORK/cap.err")
    GOT="-"
    ;;
  esac
}

# One download with nothing capturing, before the rounds: the first
# download after vsftpd starts ran at 300 MB/s instead of 900-1 500, and it
# went to ftptrace's first round, a lighter load than any other.
download
echo "  warm-up download (no capture): $MBPS MB/s"

# stats "N N N": the median and the mean of the numbers, as two table cells.
stats() {
  tr ' ' '\n' <<<"$1" | grep . | sort -n | awk '{v[NR] = $1; sum += $1}
    END {if (NR == 0) {print "? | ?"; exit}
         m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
         printf "%d | %d\n", m, sum / NR}'
}

rows=()
declare -A drops # "KIB TOOL" -> the drops of its runs, for the medians
for kib in $BUFFERS; do
  for i in $(seq "$RUNS"); do
    for tool in ftptrace tcpdump; do
      capture "$tool" "$kib"
      echo "  -B $kib run $i: $tool saw ${SEEN:-?} packets, ${DROPS:-?} dropped by the kernel, download at $MBPS MB/s, peak RSS ${RSS:-?}; transfer: ${GOT:-none}"
      b=$kib
      [ $tool = ftptrace ] && [ $has_B = 0 ] && b="$kib (ftptrace: its own, no -B)"
      rows+=("| $b | $i | $tool | $MBPS MB/s | ${SEEN:-?} | **${DROPS:-?}** | ${RSS:-?} | ${GOT:-none} |")
      [ -n "${DROPS:-}" ] && drops["$kib $tool"]+="$DROPS "
    done
  done
done

table=$(
  echo "<!-- live -->"
  echo "Live capture at full speed (\`sudo make bench-live\`, scripts/bench-live.sh, $(date -u '+%Y-%m-%d %H:%M UTC'), commit"
  echo "$(git rev-parse --short HEAD)${LIVE_FTPTRACE:+, ftptrace: $LIVE_FTPTRACE}): a real vsftpd and curl on the loopback of a network namespace, one"
  echo "download of $bytes bytes${RATE:+ at $RATE/s} while \`ftptrace -i lo -B KIB --json\` (the full analysis, SHA-256"
  echo "of the transfer) or \`tcpdump -i lo -B KIB -w FILE\` (FILE in $(dirname "$PCAP")) captures, alternately; the kernel's counts"
  echo "(libpcap's), the peak RSS before the end (VmHWM: the kernel's buffer, which libpcap maps, and"
  echo "ftptrace's ring, which grows while the analysis lags up to --ring, 1 GiB), and the transfer as ftptrace saw it;"
  echo "one download with no capture came first (the first after vsftpd starts is slower):"
  echo
  echo "| -B KiB | run | capture | download | packets | dropped by the kernel | peak RSS | transfer seen |"
  echo "|---|---|---|---|---|---|---|---|"
  printf '%s\n' "${rows[@]}"
  echo
  echo "Drops by the kernel, median and mean of the runs (the issue's target: ftptrace's no more than tcpdump's):"
  echo
  echo "| -B KiB | ftptrace median | ftptrace mean | tcpdump median | tcpdump mean |"
  echo "|---|---|---|---|---|"
  for kib in $BUFFERS; do
    echo "| $kib | $(stats "${drops["$kib ftptrace"]:-}") | $(stats "${drops["$kib tcpdump"]:-}") |"
  done
  echo "<!-- /live -->"
)
echo "$table"
touch "$OUT"
if grep -q '^<!-- live -->' "$OUT"; then
  awk -v t="$table" '/^<!-- live -->/ {print t; skip = 1} !skip {print} /^<!-- \/live -->/ {skip = 0}' "$OUT" >"$WORK/out.md"
else
  { cat "$OUT"; echo; echo "$table"; } >"$WORK/out.md"
fi
cp "$WORK/out.md" "$OUT"
