#!/usr/bin/env bash
# bench-record.sh: records the benchmark's second, independent source of
# traffic (issue 21): a real vsftpd and the clients of scripts/bench-clients.py
# in two network namespaces of this script's own, joined by a veth pair, the
# link captured by tcpdump on the client's side.
#
#     bash scripts/bench-record.sh OUT.pcap OUT.json      (root; make bench runs it)
#
# OUT.json is the truth the clients wrote (tools/ftpbench-gen's format, with
# each session's end); tools/ftpbench-replay makes a capture of any size from
# the recording and its truth. Nothing here comes from tools/ftpbench-gen: other
# code, real TCP stacks (window scaling, SACK, time stamps, delayed ACKs),
# real timing (netem adds 1 ms each way where the kernel has it), sessions that end by QUIT, FIN, or
# RST from either side, never QUIT, or stay open through the capture.
#
# Addresses: client 10.100.100.2 and fd00:100:100::2, server 10.200.200.2 and
# fd00:200:200::2 (each octet three digits, each group of the client's IPv6
# address too: the replay rewrites the client's address in PORT and EPRT
# without changing a length). The namespaces (ftpb-cli, ftpb-srv) are removed
# at the end; only the processes this script started are signalled, by PID.
#
# Environment: REC_SESSIONS (240), REC_CONCURRENCY (12), REC_SEED (1).
set -euo pipefail

if [ $# -ne 2 ]; then echo "usage: bash scripts/bench-record.sh OUT.pcap OUT.json" >&2; exit 2; fi
if [ "$(id -u)" != 0 ]; then echo "bench-record.sh: must run as root (network namespaces, a local user, vsftpd)" >&2; exit 1; fi
OUT_PCAP=$(realpath -m "$1") OUT_TRUTH=$(realpath -m "$2")
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SESSIONS=${REC_SESSIONS:-240} CONCURRENCY=${REC_CONCURRENCY:-12} SEED=${REC_SEED:-1}
NS_C=ftpb-cli NS_S=ftpb-srv
CLI4=10.100.100.2 SRV4=10.200.200.2 CLI6=fd00:100:100::2 SRV6=fd00:200:200::2
FILES=/srv/ftpbench
export PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:$PATH" LC_ALL=C

for c in vsftpd tcpdump ethtool python3 ip tc; do
  command -v "$c" >/dev/null && continue
  case $c in ip | tc) pkg=iproute2 ;; *) pkg=$c ;; esac
  echo "installing $pkg (for $c)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$pkg" >/dev/null ||
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$pkg" >/dev/null; }
done

WORK=$(mktemp -d /tmp/ftpbench-record.XXXXXX)
chmod 755 "$WORK"
PIDS=()
# in_ns runs a command in a namespace; IN_C and IN_S start the background
# ones: nsenter execs its command, so $! is the command's PID (ip netns exec
# forks, and a shell function in the background is a subshell: a signal to
# either would not reach the command).
in_ns() { local ns=$1; shift; nsenter --net="/run/netns/$ns" -- "$@"; }
IN_C="nsenter --net=/run/netns/$NS_C --" IN_S="nsenter --net=/run/netns/$NS_S --"
net_down() { ip netns del $NS_C 2>/dev/null || true; ip netns del $NS_S 2>/dev/null || true; }
cleanup() {
  local rc=$? pid
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  net_down
  if [ "$rc" != 0 ]; then echo "bench-record.sh: failed; logs kept in $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

# Users and files: ftpbench, and ftpbenchlong with a 128-character password
# (bench-clients.py knows both); the same files for anonymous (pub, read
# only, as vsftpd wants an anonymous root) and for the users (home, which
# takes uploads). Sizes from 0 to 8 MiB, as many small as large.
for u in ftpbench ftpbenchlong; do
  id -u "$u" >/dev/null 2>&1 || useradd --no-create-home --home-dir $FILES/home --shell /bin/bash "$u"
done
python3 "$ROOT/scripts/bench-clients.py" --users | chpasswd
rm -rf $FILES
mkdir -p $FILES/pub $FILES/home
python3 - "$FILES/pub" "$SEED" <<'EOF'
import random, sys
d, r = sys.argv[1], random.Random(int(sys.argv[2]))
for i in range(48):
    size = 0 if i < 2 else int(2 ** r.uniform(0, 23))
    open("%s/file%03d.bin" % (d, i), "wb").write(r.randbytes(size))
EOF
cp -p $FILES/pub/* $FILES/home/
chmod 755 $FILES/pub && chmod 1777 $FILES/home
(cd $FILES/pub && for f in *; do printf '%s %s %s\n' "$(sha256sum "$f" | cut -d' ' -f1)" "$(stat -c %s "$f")" "$f"; done) >"$WORK/manifest"

# The link: two namespaces, a veth pair, checksums and segmentation in
# software (the capture shows segments as they cross a 1500-byte link).
net_down
ip netns add $NS_C && ip netns add $NS_S
in_ns $NS_C ip link set lo up && in_ns $NS_S ip link set lo up
ip link add bcli0 netns $NS_C type veth peer name bsrv0 netns $NS_S
for x in "$NS_C bcli0 $CLI4 $CLI6" "$NS_S bsrv0 $SRV4 $SRV6"; do
  set -- $x
  in_ns "$1" ip addr add "$3/8" dev "$2"
  in_ns "$1" ip addr add "$4/16" dev "$2" nodad
  in_ns "$1" ip link set "$2" mtu 1500 up
  in_ns "$1" ethtool -K "$2" tx off tso off gso off gro off >/dev/null 2>&1 || true
  # A millisecond each way where the kernel has netem (not every one does).
  in_ns "$1" tc qdisc add dev "$2" root netem delay 1ms limit 100000 2>/dev/null || true
done

# vsftpd, one for each address family, from port 20 in active mode.
mkdir -p /var/run/vsftpd/empty
cat >"$WORK/vsftpd.conf" <<EOF
listen=YES
listen_port=21
background=NO
port_enable=YES
connect_from_port_20=YES
pasv_enable=YES
pasv_min_port=40000
pasv_max_port=49999
anonymous_enable=YES
anon_root=$FILES/pub
no_anon_password=NO
local_enable=YES
local_root=$FILES/home
write_enable=YES
local_umask=022
pam_service_name=vsftpd
secure_chroot_dir=/var/run/vsftpd/empty
seccomp_sandbox=NO
isolate=NO
isolate_network=NO
syslog_enable=NO
xferlog_enable=NO
idle_session_timeout=3600
data_connection_timeout=300
delay_failed_login=1
max_login_fails=3
max_clients=0
max_per_ip=0
EOF
$IN_S vsftpd "$WORK/vsftpd.conf" -olisten_address=$SRV4 >"$WORK/vsftpd4.log" 2>&1 </dev/null &
PIDS+=($!)
$IN_S vsftpd "$WORK/vsftpd.conf" -olisten=NO -olisten_ipv6=YES -olisten_address6=$SRV6 >"$WORK/vsftpd6.log" 2>&1 </dev/null &
PIDS+=($!)
for i in $(seq 100); do
  [ "$(in_ns $NS_S ss -Hltn 'sport = :21' | wc -l)" = 2 ] && break
  [ "$i" = 100 ] && { echo "bench-record.sh: vsftpd does not listen (see $WORK/vsftpd*.log)" >&2; exit 1; }
  sleep 0.1
done

# Record: tcpdump with a large buffer, then the clients; the capture stops
# once every session that ends has ended, with the idle ones still open.
$IN_C tcpdump -i bcli0 -n -s 0 -B 262144 -U -w "$WORK/rec.pcap" tcp 2>"$WORK/tcpdump.log" &
TCPDUMP=$!
PIDS+=($TCPDUMP)
for i in $(seq 100); do grep -q 'listening on' "$WORK/tcpdump.log" && break; sleep 0.1; done
echo "recording $SESSIONS sessions, $CONCURRENCY at a time"
s=$(date +%s)
$IN_C python3 "$ROOT/scripts/bench-clients.py" --server4 $SRV4 --server6 $SRV6 --client4 $CLI4 --client6 $CLI6 \
  --server-netns /run/netns/$NS_S --sessions "$SESSIONS" --concurrency "$CONCURRENCY" --seed "$SEED" --manifest "$WORK/manifest" \
  --truth "$WORK/truth.json" --done "$WORK/done" 2>"$WORK/clients.log" &
CLIENTS=$!
PIDS+=($CLIENTS)
while [ ! -e "$WORK/done" ]; do
  case $(ps -o stat= -p $CLIENTS) in # gone, or a zombie not yet waited for
  '' | Z*) echo "bench-record.sh: the clients failed: $(cat "$WORK/clients.log")" >&2; exit 1 ;;
  esac
  sleep 0.2
done
# The last teardowns, and tcpdump's ring: a block of packets is handed to
# tcpdump when full or after a second, and the packets of a block not yet
# handed over when it stops are lost without being counted as dropped.
sleep 2
kill -TERM $TCPDUMP # (SIGINT is ignored by a background job of a script)
wait $TCPDUMP || true
kill -TERM $CLIENTS 2>/dev/null || true # the idle sessions end with it
wait $CLIENTS 2>/dev/null || true
echo "  recorded in $(($(date +%s) - s)) s: $(grep -E 'captured|dropped by kernel' "$WORK/tcpdump.log" | paste -sd, -)"
if ! grep -q '^0 packets dropped by kernel' "$WORK/tcpdump.log"; then
  echo "bench-record.sh: tcpdump lost packets; the recording would not match its truth (try again on a quieter machine)" >&2
  exit 1
fi
mkdir -p "$(dirname "$OUT_PCAP")" "$(dirname "$OUT_TRUTH")"
mv "$WORK/rec.pcap" "$OUT_PCAP"
mv "$WORK/truth.json" "$OUT_TRUTH"
echo "  $OUT_PCAP, truth in $OUT_TRUTH"
