#!/usr/bin/env bash
# record-netns-fixtures.sh - record real FTP sessions through network namespaces,
# captured the messy ways captures are taken in the field, into testdata/pcaps/netns-*.pcap
#
# Run as root from the repository root (`make fixtures` runs it after record-fixtures.sh):
#     bash scripts/record-netns-fixtures.sh            # record every capture
#     bash scripts/record-netns-fixtures.sh NAME...    # only these (see --list)
#
# The script creates its own namespaces (ftpt-cli, ftpt-rtr, ftpt-srv) joined by veth
# pairs, with addresses of its own (10.77.0.0/16), runs vsftpd in ftpt-srv and a client
# (tnftp, or scripts/netns-ftp-client.py where a session must pause or end with a RST)
# in ftpt-cli, and captures with tcpdump inside ftpt-rtr, which routes between the two
# (or bridges them). It removes the namespaces when done; it signals only the processes
# it started, by PID.
#
# The captures (described in testdata/pcaps/README.md):
#   netns-duplicates      the router's two interfaces captured and merged: every packet twice
#   netns-skewed          the same, one capture's clock 4 ms ahead
#   netns-capture-order   control connection captured on one side with a clock 5 ms ahead,
#                         data connections on the other: data SYNs before their announcements
#   netns-nat-halves      the router masquerades; each direction captured on its own side:
#                         the two halves of every connection carry different client addresses;
#                         the client resets its control connection
#   netns-client-reset    a session the client ends with a RST, then a normal one
#   netns-midstream-highport  vsftpd on port 60021, client ports 20000-29999; the capture
#                         starts after the login
#   netns-orphan-data     only the data connections captured (the control port filtered out)
#   netns-control-only    only the control connection captured
#   netns-bridge-any      the router bridges; `tcpdump -i any` sees each packet on both ports
set -euo pipefail

ALL_NAMES=(netns-duplicates netns-skewed netns-capture-order netns-nat-halves netns-client-reset
    netns-midstream-highport netns-orphan-data netns-control-only netns-bridge-any)

if [[ ${1:-} == --list ]]; then printf '%s\n' "${ALL_NAMES[@]}"; exit 0; fi
WANTED=()
for arg in "$@"; do
    arg=${arg%.pcap}
    [[ " ${ALL_NAMES[*]} " == *" $arg "* ]] || { echo "record-netns-fixtures.sh: unknown capture '$arg' (try --list)" >&2; exit 2; }
    WANTED+=("$arg")
done
[[ ${#WANTED[@]} -gt 0 ]] || WANTED=("${ALL_NAMES[@]}")
if [[ $(id -u) -ne 0 ]]; then
    echo "record-netns-fixtures.sh: must be run as root (it creates network namespaces)" >&2
    exit 1
fi

export PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:${PATH:-}"
export LC_ALL=C TZ=UTC
umask 022

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
FIXTURES=$REPO_ROOT/testdata/fixtures
PCAPS=$REPO_ROOT/testdata/pcaps
CLIENT_PY=$REPO_ROOT/scripts/netns-ftp-client.py
FTP_USER=ftptrace
FTP_PASS=ftptrace-pass
SERVED=/srv/ftptrace-netns # local_root in vsftpd-netns.conf
NS_C=ftpt-cli NS_R=ftpt-rtr NS_S=ftpt-srv
STAMP='2024-01-02 03:04:05 UTC'

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'record-netns-fixtures.sh: error: %s\n' "$*" >&2; exit 1; }

for c in tcpdump mergecap editcap vsftpd ftp python3 ip iptables perl gzip; do
    command -v "$c" >/dev/null 2>&1 && continue
    case $c in
    mergecap | editcap) pkg=tshark ;; ftp) pkg=tnftp ;; ip) pkg=iproute2 ;; *) pkg=$c ;;
    esac
    log "installing $pkg (for $c)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-remove "$pkg" >&2 || die "cannot install $pkg"
done

WORK=$(mktemp -d /tmp/ftptrace-netns.XXXXXX)
chmod 755 "$WORK"
OWN_PIDS=()

stop_pid() { # pid signal
    local pid=$1 sig=${2:-TERM} i p keep=()
    if kill -0 "$pid" 2>/dev/null; then
        kill -s "$sig" "$pid" 2>/dev/null || true
        for ((i = 0; i < 50; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$pid" 2>/dev/null && kill -s KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
    for p in "${OWN_PIDS[@]}"; do [[ $p == "$pid" ]] || keep+=("$p"); done
    OWN_PIDS=("${keep[@]}")
}

net_down() {
    local ns
    for ns in $NS_C $NS_R $NS_S; do ip netns del "$ns" 2>/dev/null || true; done
}

cleanup() {
    local rc=$? pid
    trap - EXIT INT TERM
    for pid in "${OWN_PIDS[@]}"; do kill -s TERM "$pid" 2>/dev/null || true; done
    for pid in "${OWN_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    net_down
    if [[ ${KEEP_WORK:-0} == 1 || $rc -ne 0 ]]; then echo "work dir kept: $WORK" >&2; else rm -rf "$WORK"; fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------------------
# user and files
# ---------------------------------------------------------------------------
id -u "$FTP_USER" >/dev/null 2>&1 ||
    useradd --home-dir /srv/ftptrace-fixtures --no-create-home --shell /bin/bash \
        --comment "ftptrace fixture FTP user" "$FTP_USER"
echo "$FTP_USER:$FTP_PASS" | chpasswd

reset_served() {
    rm -rf "$SERVED"
    mkdir -p "$SERVED"
    cp "$FIXTURES/home/readme.txt" "$SERVED/"
    # data.bin: 65536 bytes of a 31-bit LCG (glibc constants), seed 42, as record-fixtures.sh.
    perl -e 'use integer; my ($n, $x) = @ARGV; binmode STDOUT; my $o = "";
             for (1 .. $n) { $x = ($x * 1103515245 + 12345) & 0x7fffffff; $o .= chr(($x >> 16) & 0xff); }
             print $o;' 65536 42 > "$SERVED/data.bin"
    gzip -n -9 -c "$SERVED/data.bin" > "$SERVED/data.bin.gz"
    chown -R "$FTP_USER:$FTP_USER" "$SERVED"
    find "$SERVED" -exec touch -h -d "$STAMP" {} +
}

CLIENT=$WORK/client
reset_client() {
    rm -rf "$CLIENT"
    mkdir -p "$CLIENT"
    cp "$FIXTURES/client/upload.txt" "$CLIENT/"
}

# ---------------------------------------------------------------------------
# networks: client 10.77.1.2 - router 10.77.1.1 / 10.77.2.1 - server 10.77.2.2,
# or, bridged, client 10.77.3.2 and server 10.77.3.3 on the router's bridge
# ---------------------------------------------------------------------------
in_ns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

net_common() {
    net_down
    local ns
    for ns in $NS_C $NS_R $NS_S; do ip netns add "$ns"; in_ns "$ns" ip link set lo up; done
    ip link add cli0 netns $NS_C type veth peer name rtr0 netns $NS_R
    ip link add srv0 netns $NS_S type veth peer name rtr1 netns $NS_R
    for ns in "$NS_C cli0" "$NS_R rtr0" "$NS_R rtr1" "$NS_S srv0"; do
        # shellcheck disable=SC2086
        in_ns ${ns% *} ip link set "${ns#* }" up
        # Checksums computed in software: a capture shows what the wire carries.
        # shellcheck disable=SC2086
        in_ns ${ns% *} ethtool -K "${ns#* }" tx off >/dev/null 2>&1 || true
    done
}

net_routed() {
    net_common
    in_ns $NS_C ip addr add 10.77.1.2/24 dev cli0
    in_ns $NS_C ip route add default via 10.77.1.1
    in_ns $NS_R ip addr add 10.77.1.1/24 dev rtr0
    in_ns $NS_R ip addr add 10.77.2.1/24 dev rtr1
    in_ns $NS_R sysctl -qw net.ipv4.ip_forward=1
    in_ns $NS_S ip addr add 10.77.2.2/24 dev srv0
    in_ns $NS_S ip route add default via 10.77.2.1
    SERVER_IP=10.77.2.2
}

net_bridged() {
    net_common
    in_ns $NS_R ip link add br0 type bridge
    in_ns $NS_R ip link set rtr0 master br0
    in_ns $NS_R ip link set rtr1 master br0
    in_ns $NS_R ip link set br0 up
    in_ns $NS_C ip addr add 10.77.3.2/24 dev cli0
    in_ns $NS_S ip addr add 10.77.3.3/24 dev srv0
    SERVER_IP=10.77.3.3
}

# ---------------------------------------------------------------------------
# server, captures, clients
# ---------------------------------------------------------------------------
SERVER_PID=
start_vsftpd() { # port [-oOPTION=VALUE...]
    local port=$1 i
    shift
    mkdir -p /var/run/vsftpd/empty
    install -m 600 -o root -g root "$FIXTURES/vsftpd-netns.conf" "$WORK/vsftpd.conf"
    # vsftpd applies its arguments in order: the -o options after the file win.
    in_ns $NS_S vsftpd "$WORK/vsftpd.conf" "-ovsftpd_log_file=$WORK/vsftpd.log" "-olisten_address=$SERVER_IP" \
        "-olisten_port=$port" "$@" > "$WORK/vsftpd.out" 2>&1 < /dev/null &
    SERVER_PID=$!
    OWN_PIDS+=("$SERVER_PID")
    for ((i = 0; i < 100; i++)); do
        [[ -n $(in_ns $NS_S ss -Hltn "sport = :$port") ]] && return 0
        kill -0 "$SERVER_PID" 2>/dev/null || die "vsftpd exited (see $WORK/vsftpd.out)"
        sleep 0.1
    done
    die "vsftpd is not listening on port $port"
}

stop_server() { stop_pid "$SERVER_PID" TERM; SERVER_PID=; }

CAPTURE_PIDS=()
start_capture() { # file interface filter [tcpdump options...]
    local file=$1 iface=$2 filter=$3 i pid
    shift 3
    in_ns $NS_R tcpdump -i "$iface" -n -U -s 0 "$@" -w "$WORK/$file" "$filter" \
        > /dev/null 2> "$WORK/$file.err" < /dev/null &
    pid=$!
    OWN_PIDS+=("$pid")
    CAPTURE_PIDS+=("$pid")
    for ((i = 0; i < 100; i++)); do
        grep -qs 'listening on' "$WORK/$file.err" && return 0
        kill -0 "$pid" 2>/dev/null || { cat "$WORK/$file.err" >&2; die "tcpdump failed"; }
        sleep 0.1
    done
    die "tcpdump did not start"
}

stop_captures() {
    local pid
    sleep 1
    for pid in "${CAPTURE_PIDS[@]}"; do stop_pid "$pid" INT; done
    CAPTURE_PIDS=()
}

tnftp() { # name: the commands on stdin
    (cd "$CLIENT" && in_ns $NS_C timeout 60 ftp -n -v "$SERVER_IP" "${PORT:-21}") > "$WORK/$1.client.log" 2>&1 ||
        { cat "$WORK/$1.client.log" >&2; die "tnftp failed in $1"; }
}

pyftp() { # name step...
    local name=$1
    shift
    (cd "$CLIENT" && in_ns $NS_C timeout 60 python3 "$CLIENT_PY" "$SERVER_IP" "${PORT:-21}" "$FTP_USER" "$FTP_PASS" "$@") \
        > "$WORK/$name.client.log" 2>&1 || { cat "$WORK/$name.client.log" >&2; die "client failed in $name"; }
}

# The session of the merged captures: both modes, a download and an upload.
tnftp_both_modes() {
    tnftp "$1" <<EOF
user $FTP_USER $FTP_PASS
epsv4 off
passive off
ls
get readme.txt
passive on
get data.bin
put upload.txt
quit
EOF
}

# A short session: active LIST, passive RETR readme.txt.
tnftp_list_get() {
    tnftp "$1" <<EOF
user $FTP_USER $FTP_PASS
epsv4 off
passive off
ls
passive on
get readme.txt
quit
EOF
}

install_capture() { # name file
    local packets
    packets=$(tcpdump -n -r "$2" 2>/dev/null | wc -l)
    [[ $packets -gt 0 ]] || die "$1: empty capture"
    install -m 644 "$2" "$PCAPS/$1.pcap"
    log "$1.pcap: $packets packets"
}

# ---------------------------------------------------------------------------
# the captures
# ---------------------------------------------------------------------------
record_netns_duplicates() {
    net_routed; reset_served; reset_client
    start_vsftpd 21
    start_capture a.pcap rtr0 'tcp'
    start_capture b.pcap rtr1 'tcp'
    tnftp_both_modes netns-duplicates
    stop_captures; stop_server
    mergecap -F pcap -w "$WORK/merged.pcap" "$WORK/a.pcap" "$WORK/b.pcap"
    install_capture netns-duplicates "$WORK/merged.pcap"
}

record_netns_skewed() {
    net_routed; reset_served; reset_client
    start_vsftpd 21
    start_capture a.pcap rtr0 'tcp'
    start_capture b.pcap rtr1 'tcp'
    tnftp_both_modes netns-skewed
    stop_captures; stop_server
    # The second capture's clock runs 4 ms ahead of the first: each packet's second
    # copy comes 4 ms after the first, after the packets that followed it meanwhile.
    editcap -t 0.004 "$WORK/b.pcap" "$WORK/b-ahead.pcap" >/dev/null
    mergecap -F pcap -w "$WORK/merged.pcap" "$WORK/a.pcap" "$WORK/b-ahead.pcap"
    install_capture netns-skewed "$WORK/merged.pcap"
}

record_netns_capture_order() {
    net_routed; reset_served; reset_client
    start_vsftpd 21
    start_capture ctl.pcap rtr0 'tcp port 21'
    start_capture data.pcap rtr1 'tcp and not port 21'
    tnftp_list_get netns-capture-order
    stop_captures; stop_server
    editcap -t 0.005 "$WORK/ctl.pcap" "$WORK/ctl-ahead.pcap" >/dev/null
    mergecap -F pcap -w "$WORK/merged.pcap" "$WORK/ctl-ahead.pcap" "$WORK/data.pcap"
    install_capture netns-capture-order "$WORK/merged.pcap"
}

record_netns_nat_halves() {
    net_routed; reset_served; reset_client
    in_ns $NS_R iptables -t nat -A POSTROUTING -o rtr1 -j MASQUERADE
    start_vsftpd 21
    # What the client sends, before the NAT; what the server sends, before the NAT too
    # (on the server's side, addressed to the router).
    start_capture c2s.pcap rtr0 'tcp and src host 10.77.1.2'
    start_capture s2c.pcap rtr1 'tcp and src host 10.77.2.2'
    pyftp netns-nat-halves passive list get:readme.txt sleep:2 reset
    stop_captures; stop_server
    mergecap -F pcap -w "$WORK/merged.pcap" "$WORK/c2s.pcap" "$WORK/s2c.pcap"
    install_capture netns-nat-halves "$WORK/merged.pcap"
}

record_netns_client_reset() {
    net_routed; reset_served; reset_client
    start_vsftpd 21
    start_capture cap.pcap rtr0 'tcp'
    pyftp netns-client-reset passive list get:readme.txt reset
    # Long enough for the analysis to finish the reset session before the next.
    sleep 4
    tnftp netns-client-reset-2 <<EOF
user $FTP_USER $FTP_PASS
epsv4 off
passive on
ls
quit
EOF
    stop_captures; stop_server
    install_capture netns-client-reset "$WORK/cap.pcap"
}

record_netns_midstream_highport() {
    net_routed; reset_served; reset_client
    in_ns $NS_C sysctl -qw net.ipv4.ip_local_port_range="20000 29999"
    start_vsftpd 60021 -oftp_data_port=60020
    # The client logs in and waits; the capture starts meanwhile.
    PORT=60021 pyftp netns-midstream-highport sleep:2 passive list get:readme.txt active list quit &
    local client=$!
    OWN_PIDS+=("$client")
    sleep 1
    start_capture cap.pcap rtr0 'tcp'
    wait "$client" || die "client failed in netns-midstream-highport"
    stop_captures; stop_server
    install_capture netns-midstream-highport "$WORK/cap.pcap"
}

record_netns_orphan_data() {
    net_routed; reset_served; reset_client
    start_vsftpd 21
    start_capture cap.pcap rtr0 'tcp and not port 21'
    tnftp netns-orphan-data <<EOF
user $FTP_USER $FTP_PASS
epsv4 off
binary
passive off
get readme.txt
passive on
get data.bin.gz
ls
get readme.txt readme-again.txt
quit
EOF
    stop_captures; stop_server
    install_capture netns-orphan-data "$WORK/cap.pcap"
}

record_netns_control_only() {
    net_routed; reset_served; reset_client
    start_vsftpd 21
    start_capture cap.pcap rtr0 'tcp port 21'
    tnftp netns-control-only <<EOF
user $FTP_USER $FTP_PASS
epsv4 off
passive on
ls
get data.bin
put upload.txt
quit
EOF
    stop_captures; stop_server
    install_capture netns-control-only "$WORK/cap.pcap"
}

record_netns_bridge_any() {
    net_bridged; reset_served; reset_client
    start_vsftpd 21
    start_capture cap.pcap any 'tcp' -y LINUX_SLL
    tnftp_list_get netns-bridge-any
    stop_captures; stop_server
    install_capture netns-bridge-any "$WORK/cap.pcap"
}

for name in "${WANTED[@]}"; do
    log "recording $name"
    "record_${name//-/_}"
    net_down
done
