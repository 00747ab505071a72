#!/usr/bin/env bash
# record-fixtures.sh - record real FTP sessions on loopback into testdata/pcaps/*.pcap
#
# Run as root from the repository root (this is what `make fixtures` does):
#     bash scripts/record-fixtures.sh
#
# Every session runs between a server and a client started by this script on
# 127.0.0.1 / ::1 only. Each capture holds one complete FTP session (TCP
# handshake, login, commands, data connections, QUIT, teardown).
#
# What it does:
#   * installs missing tools with apt-get (vsftpd, tcpdump, tnftp, lftp, curl,
#     tshark). vsftpd and pure-ftpd conflict in Debian (both provide
#     ftp-server), so a server that cannot be installed without removing
#     the other is unpacked from its .deb into /var/cache/ftptrace-fixtures
#     and run from there;
#   * creates the local user "ftptrace" (password "ftptrace-pass") whose home
#     /srv/ftptrace-fixtures is reset before every session from
#     testdata/fixtures/home plus a generated data.bin (65536 fixed bytes);
#   * for each capture: starts the server in the foreground (by PID), starts
#     tcpdump on lo filtered to the session's ports, runs the client
#     non-interactively, stops tcpdump (SIGINT) and the server (SIGTERM) by PID;
#   * checks the transferred files and the captures, installs them, and rewrites
#     its own marked section of testdata/pcaps/README.md with facts extracted
#     from the captures (other content of that README is kept).
#
# Environment: KEEP_WORK=1 keeps the temporary work dir (server/client logs).
set -euo pipefail

if [[ $(id -u) -ne 0 ]]; then
    echo "record-fixtures.sh: must be run as root (it creates a local user, binds ports 20/21 and captures on lo)." >&2
    echo "usage: sudo bash scripts/record-fixtures.sh   (or: sudo make fixtures)" >&2
    exit 1
fi

export PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:${PATH:-}"
export LC_ALL=C TZ=UTC
umask 022

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
FIXTURES=$REPO_ROOT/testdata/fixtures
PCAPS=$REPO_ROOT/testdata/pcaps

FTP_USER=ftptrace
FTP_PASS=ftptrace-pass
FTP_BADPASS=wrong-pass
FTP_HOME=/srv/ftptrace-fixtures        # home of $FTP_USER == served directory
CACHE_DIR=/var/cache/ftptrace-fixtures # unpacked server .debs (only if needed)
PASV_MIN=30000                         # vsftpd passive range (pasv_min_port in the confs)
PASV_MAX=30009
PURE_PORT=2122
PURE_PASV_MIN=30010
PURE_PASV_MAX=30019
CLIENT_TIMEOUT=60
STAMP='2024-01-02 03:04:05 UTC'        # mtime of every served file (stable LIST output)

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'record-fixtures.sh: error: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------------------
# process bookkeeping: we only ever signal PIDs we started ourselves
# ---------------------------------------------------------------------------
WORK=$(mktemp -d /tmp/ftptrace-fixtures.XXXXXX)
chmod 755 "$WORK"
OWN_PIDS=()
POLICY_RC_CREATED=0

stop_pid() { # pid signal
    local pid=$1 sig=${2:-TERM} i
    [[ -n $pid ]] || return 0
    if kill -0 "$pid" 2>/dev/null; then
        kill -s "$sig" "$pid" 2>/dev/null || true
        for ((i = 0; i < 50; i++)); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$pid" 2>/dev/null; then
            kill -s KILL "$pid" 2>/dev/null || true
        fi
    fi
    wait "$pid" 2>/dev/null || true
    local p keep=()
    for p in "${OWN_PIDS[@]}"; do [[ $p == "$pid" ]] || keep+=("$p"); done
    OWN_PIDS=("${keep[@]}")
}

cleanup() {
    local rc=$? pid
    trap - EXIT INT TERM
    for pid in "${OWN_PIDS[@]}"; do
        kill -s TERM "$pid" 2>/dev/null || true
    done
    for pid in "${OWN_PIDS[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    if [[ $POLICY_RC_CREATED == 1 ]]; then rm -f /usr/sbin/policy-rc.d; fi
    if [[ ${KEEP_WORK:-0} == 1 || $rc -ne 0 ]]; then
        echo "record-fixtures.sh: work dir kept: $WORK" >&2
    else
        rm -rf "$WORK"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------------------
# packages
# ---------------------------------------------------------------------------
# Never let a package's init script start a system-wide server on port 21:
# while this script installs packages, a temporary policy-rc.d denies starts.
ensure_policy_rc() {
    if [[ ! -e /usr/sbin/policy-rc.d ]]; then
        printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
        chmod 755 /usr/sbin/policy-rc.d
        POLICY_RC_CREATED=1
    fi
}

apt_install() {
    # --no-remove: fail instead of removing a conflicting package.
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-remove "$@" >&2
}

need_cmd() { # command package
    command -v "$1" >/dev/null 2>&1 && return 0
    log "installing $2 (for $1)"
    apt_install "$2" || die "cannot install $2"
    command -v "$1" >/dev/null 2>&1 || die "$1 still missing after installing $2"
}

# server_bin NAME PKG LIBDEPS... -> prints the path of the server binary
server_bin() {
    local name=$1 pkg=$2
    shift 2
    local dir=$CACHE_DIR/$pkg
    if command -v "$name" >/dev/null 2>&1; then command -v "$name"; return 0; fi
    if [[ ! -x $dir/root/usr/sbin/$name ]]; then
        log "installing $pkg"
        if apt_install "$pkg"; then
            command -v "$name" >/dev/null 2>&1 && { command -v "$name"; return 0; }
        fi
        # vsftpd and pure-ftpd conflict: unpack the .deb privately instead.
        log "apt-get cannot install $pkg next to the installed FTP server; unpacking it into $dir"
        rm -rf "$dir"
        mkdir -p "$dir"
        (cd "$dir" && apt-get download "$pkg" >&2) || die "apt-get download $pkg failed"
        dpkg-deb -x "$dir"/"${pkg}"_*.deb "$dir/root"
    fi
    if ldd "$dir/root/usr/sbin/$name" | grep -q 'not found'; then
        apt_install "$@" || die "cannot install libraries for $name: $*"
    fi
    echo "$dir/root/usr/sbin/$name"
}

for c in tcpdump ftp lftp curl tshark perl ss vsftpd pure-ftpd; do
    command -v "$c" >/dev/null 2>&1 || { ensure_policy_rc; break; }
done
need_cmd tcpdump tcpdump
need_cmd ftp tnftp
need_cmd lftp lftp
need_cmd curl curl
need_cmd tshark tshark
need_cmd perl perl
need_cmd ss iproute2
VSFTPD=$(server_bin vsftpd vsftpd libcap2 libpam0g libssl3 libwrap0 libpam-modules)
PUREFTPD=$(server_bin pure-ftpd pure-ftpd libcap2 libcrypt1 libpam0g libsodium23 libssl3) || PUREFTPD=
log "vsftpd: $VSFTPD"
log "pure-ftpd: ${PUREFTPD:-<unavailable, capture skipped>}"

# ---------------------------------------------------------------------------
# user, served files, client files
# ---------------------------------------------------------------------------
grep -qx /bin/bash /etc/shells || die "/bin/bash is not in /etc/shells (PAM pam_shells would reject $FTP_USER)"
if ! id -u "$FTP_USER" >/dev/null 2>&1; then
    log "creating user $FTP_USER"
    useradd --home-dir "$FTP_HOME" --no-create-home --shell /bin/bash \
        --comment "ftptrace fixture FTP user" "$FTP_USER"
fi
if [[ $(getent passwd "$FTP_USER" | cut -d: -f6) != "$FTP_HOME" ]]; then
    usermod --home "$FTP_HOME" "$FTP_USER"
fi
if [[ $(getent passwd "$FTP_USER" | cut -d: -f7) != /bin/bash ]]; then
    usermod --shell /bin/bash "$FTP_USER"
fi
echo "$FTP_USER:$FTP_PASS" | chpasswd
FTP_UID=$(id -u "$FTP_USER")

# Deterministic pseudo-random bytes: 31-bit LCG (glibc constants), fixed seed.
gen_bytes() { # count seed
    perl -e 'use integer; my ($n, $x) = @ARGV; binmode STDOUT; my $o = "";
             for (1 .. $n) { $x = ($x * 1103515245 + 12345) & 0x7fffffff; $o .= chr(($x >> 16) & 0xff); }
             print $o;' "$1" "$2"
}

reset_home() {
    [[ $FTP_HOME == /srv/ftptrace-fixtures ]] || die "refusing to reset unexpected home $FTP_HOME"
    rm -rf "$FTP_HOME"
    mkdir -p "$FTP_HOME"
    cp -R "$FIXTURES/home/." "$FTP_HOME/"
    gen_bytes 65536 42 > "$FTP_HOME/data.bin"
    chown -R "$FTP_USER:$FTP_USER" "$FTP_HOME"
    chmod -R u=rwX,go=rX "$FTP_HOME"
    find "$FTP_HOME" -exec touch -h -d "$STAMP" {} +
}

CLIENT=$WORK/client
reset_client() {
    rm -rf "$CLIENT"
    mkdir -p "$CLIENT"
    cp "$FIXTURES/client/upload.txt" "$CLIENT/upload.txt"
    gen_bytes 20000 7 > "$CLIENT/upload.bin"
    touch -d "$STAMP" "$CLIENT"/upload.*
}

same_file() { # a b what
    cmp -s "$1" "$2" || die "$3: $1 and $2 differ"
}

# ---------------------------------------------------------------------------
# servers and capture
# ---------------------------------------------------------------------------
SERVER_PID=
TCPDUMP_PID=

port_busy() { # port
    [[ -n $(ss -Hltn "sport = :$1") ]]
}

wait_listen() { # port pid what
    local i
    for ((i = 0; i < 100; i++)); do
        kill -0 "$2" 2>/dev/null || die "$3 exited during startup (see $WORK)"
        port_busy "$1" && return 0
        sleep 0.1
    done
    die "$3 is not listening on port $1 (see $WORK)"
}

start_vsftpd() { # name port
    local name=$1 port=$2 conf=$WORK/$1.conf
    port_busy "$port" && die "port $port is already in use on this machine; stop that service first"
    port_busy 20 && die "port 20 is already in use on this machine"
    mkdir -p /var/run/vsftpd/empty
    install -m 600 -o root -g root "$FIXTURES/$name.conf" "$conf"
    log "starting vsftpd ($name.conf) on port $port"
    "$VSFTPD" "-ovsftpd_log_file=$WORK/$name.vsftpd.log" "$conf" \
        > "$WORK/$name.vsftpd.out" 2>&1 < /dev/null &
    SERVER_PID=$!
    OWN_PIDS+=("$SERVER_PID")
    wait_listen "$port" "$SERVER_PID" vsftpd
}

start_pureftpd() { # name port
    local name=$1 port=$2
    port_busy "$port" && die "port $port is already in use on this machine"
    log "starting pure-ftpd on 127.0.0.1:$port"
    # Foreground (no -B), IPv4 only, bound to loopback, no DNS lookups,
    # no anonymous, chroot everyone, system (unix) accounts.
    "$PUREFTPD" --bind "127.0.0.1,$port" --ipv4only --dontresolve --noanonymous \
        --chrooteveryone --login unix --minuid "$FTP_UID" \
        --passiveportrange "$PURE_PASV_MIN:$PURE_PASV_MAX" \
        --maxclientsnumber 5 --maxidletime 5 \
        > "$WORK/$name.pure-ftpd.out" 2>&1 < /dev/null &
    SERVER_PID=$!
    OWN_PIDS+=("$SERVER_PID")
    wait_listen "$port" "$SERVER_PID" pure-ftpd
}

stop_server() {
    stop_pid "$SERVER_PID" TERM
    SERVER_PID=
}

start_capture() { # name bpf-filter
    local name=$1 filter=$2 i
    rm -f "$WORK/$name.pcap"
    log "tcpdump -i lo '$filter' -> $name.pcap"
    tcpdump -i lo -n -U -s 0 -Z root -w "$WORK/$name.pcap" "$filter" \
        > /dev/null 2> "$WORK/$name.tcpdump.err" < /dev/null &
    TCPDUMP_PID=$!
    OWN_PIDS+=("$TCPDUMP_PID")
    for ((i = 0; i < 100; i++)); do
        grep -q 'listening on' "$WORK/$name.tcpdump.err" && { sleep 0.2; return 0; }
        kill -0 "$TCPDUMP_PID" 2>/dev/null || { cat "$WORK/$name.tcpdump.err" >&2; die "tcpdump failed"; }
        sleep 0.1
    done
    die "tcpdump did not start listening"
}

stop_capture() { # name
    sleep 1
    stop_pid "$TCPDUMP_PID" INT
    TCPDUMP_PID=
    [[ -s $WORK/$1.pcap ]] || die "capture $1.pcap is empty"
}

run_client() { # name cmd... (stdin passed through); output in $WORK/name.client.log
    local name=$1
    shift
    (cd "$CLIENT" && timeout "$CLIENT_TIMEOUT" "$@") > "$WORK/$name.client.log" 2>&1 ||
        { cat "$WORK/$name.client.log" >&2; die "client for $name failed"; }
}

LFTP_SETTINGS="set ftp:ssl-allow no; set net:max-retries 1; set net:timeout 10; \
set net:reconnect-interval-base 1; set cmd:fail-exit yes; set xfer:clobber on; set cache:enable no; \
set ftp:sync-mode on; set ftp:use-site-utime no; set ftp:use-site-utime2 no; set ftp:use-mdtm-overloaded no"

RECORDED=()

# 1. vsftpd, active mode (PORT, data connections from port 20), tnftp -----------
record_active() {
    local name=vsftpd-active
    reset_home; reset_client
    start_vsftpd "$name" 21
    start_capture "$name" 'tcp and host 127.0.0.1 and (port 21 or port 20)'
    # -A: active mode only; "epsv4 off": PORT instead of EPRT on IPv4.
    run_client "$name" ftp -n -v -A 127.0.0.1 21 <<EOF
epsv4 off
user $FTP_USER $FTP_PASS
ls
get readme.txt
put upload.txt
pwd
cd pub
ls
quit
EOF
    stop_capture "$name"
    stop_server
    same_file "$FTP_HOME/readme.txt" "$CLIENT/readme.txt" "$name RETR"
    same_file "$CLIENT/upload.txt" "$FTP_HOME/upload.txt" "$name STOR"
    RECORDED+=("$name")
}

# 2. vsftpd, passive mode (PASV), lftp ------------------------------------------
record_passive() {
    local name=vsftpd-passive
    reset_home; reset_client
    start_vsftpd "$name" 21
    start_capture "$name" "tcp and host 127.0.0.1 and (port 21 or portrange $PASV_MIN-$PASV_MAX)"
    run_client "$name" lftp -c "$LFTP_SETTINGS; set ftp:passive-mode on; set ftp:prefer-epsv no; \
open -u $FTP_USER,$FTP_PASS ftp://127.0.0.1:21; ls; get data.bin; put upload.bin; quit" < /dev/null
    stop_capture "$name"
    stop_server
    same_file "$FTP_HOME/data.bin" "$CLIENT/data.bin" "$name RETR"
    same_file "$CLIENT/upload.bin" "$FTP_HOME/upload.bin" "$name STOR"
    RECORDED+=("$name")
}

# 3. vsftpd on ::1, EPSV then EPRT in one session, tnftp ------------------------
# (tnftp rather than lftp: lftp 4.9.2 sends "EPRT |2|::|port|", the unspecified
# address, where tnftp sends the real "EPRT |2|::1|port|".)
record_ipv6() {
    local name=vsftpd-ipv6
    reset_home; reset_client
    start_vsftpd "$name" 21
    start_capture "$name" "tcp and ip6 and host ::1 and (port 21 or port 20 or portrange $PASV_MIN-$PASV_MAX)"
    run_client "$name" ftp -6 -n -v ::1 21 <<EOF
user $FTP_USER $FTP_PASS
passive on
ls
get readme.txt
passive off
put upload.txt
nlist pub
quit
EOF
    stop_capture "$name"
    stop_server
    same_file "$FTP_HOME/readme.txt" "$CLIENT/readme.txt" "$name RETR"
    same_file "$CLIENT/upload.txt" "$FTP_HOME/upload.txt" "$name STOR"
    RECORDED+=("$name")
}

# 4. vsftpd, failed login (530) then successful login on the same connection ----
record_login_retry() {
    local name=vsftpd-login-retry
    reset_home; reset_client
    start_vsftpd "$name" 21
    start_capture "$name" "tcp and host 127.0.0.1 and (port 21 or portrange $PASV_MIN-$PASV_MAX)"
    run_client "$name" ftp -n -v -p 127.0.0.1 21 <<EOF
user $FTP_USER $FTP_BADPASS
user $FTP_USER $FTP_PASS
ls
quit
EOF
    stop_capture "$name"
    stop_server
    grep -q '^530' "$WORK/$name.client.log" || die "$name: no 530 reply seen by the client"
    grep -q '^230' "$WORK/$name.client.log" || die "$name: no 230 reply seen by the client"
    RECORDED+=("$name")
}

# 5. vsftpd on port 2121, passive (PASV), tnftp ---------------------------------
record_port2121() {
    local name=vsftpd-port2121
    reset_home; reset_client
    start_vsftpd "$name" 2121
    start_capture "$name" "tcp and host 127.0.0.1 and (port 2121 or portrange $PASV_MIN-$PASV_MAX)"
    run_client "$name" ftp -n -v -p 127.0.0.1 2121 <<EOF
epsv4 off
user $FTP_USER $FTP_PASS
ls
get readme.txt
quit
EOF
    stop_capture "$name"
    stop_server
    same_file "$FTP_HOME/readme.txt" "$CLIENT/readme.txt" "$name RETR"
    RECORDED+=("$name")
}

# 6. pure-ftpd on port 2122, curl (EPSV), one connection for both URLs ----------
record_pureftpd() {
    local name=pureftpd-passive
    if [[ -z $PUREFTPD ]]; then
        log "pure-ftpd unavailable: skipping $name"
        return 0
    fi
    reset_home; reset_client
    start_pureftpd "$name" "$PURE_PORT"
    start_capture "$name" "tcp and host 127.0.0.1 and (port $PURE_PORT or portrange $PURE_PASV_MIN-$PURE_PASV_MAX)"
    run_client "$name" curl --silent --show-error --fail --max-time 30 --noproxy '*' \
        --user "$FTP_USER:$FTP_PASS" \
        "ftp://127.0.0.1:$PURE_PORT/" -o "$CLIENT/list.txt" \
        "ftp://127.0.0.1:$PURE_PORT/data.bin" -o "$CLIENT/data.bin" < /dev/null
    stop_capture "$name"
    stop_server
    same_file "$FTP_HOME/data.bin" "$CLIENT/data.bin" "$name RETR"
    RECORDED+=("$name")
}

record_active
record_passive
record_ipv6
record_login_retry
record_port2121
record_pureftpd

# ---------------------------------------------------------------------------
# checks, install, README
# ---------------------------------------------------------------------------
decode_args() { # name -> tshark -d option for the control port
    case $1 in
        vsftpd-port2121) echo "-d tcp.port==2121,ftp" ;;
        pureftpd-passive) echo "-d tcp.port==$PURE_PORT,ftp" ;;
        *) echo "" ;;
    esac
}

ts() { tshark "$@" 2>/dev/null; } # drop tshark's "running as root" warning

control_port() { # name
    case $1 in
        vsftpd-port2121) echo 2121 ;;
        pureftpd-passive) echo "$PURE_PORT" ;;
        *) echo 21 ;;
    esac
}

check_capture() { # name
    local name=$1 f=$WORK/$1.pcap bad syn synack fin ctl port
    port=$(control_port "$name")
    bad=$(ts -n -r "$f" -T fields -e ip.src -e ip.dst -e ipv6.src -e ipv6.dst |
        tr '\t' '\n' | grep -v -x -e '' -e 127.0.0.1 -e ::1 || true)
    [[ -z $bad ]] || die "$name: non-loopback address in capture: $bad"
    syn=$(ts -n -r "$f" -Y 'tcp.flags.syn==1 && tcp.flags.ack==0' | wc -l)
    synack=$(ts -n -r "$f" -Y 'tcp.flags.syn==1 && tcp.flags.ack==1' | wc -l)
    fin=$(ts -n -r "$f" -Y 'tcp.flags.fin==1' | wc -l)
    ctl=$(ts -n -r "$f" -Y "tcp.flags.syn==1 && tcp.flags.ack==0 && tcp.dstport==$port" | wc -l)
    [[ $ctl -eq 1 ]] || die "$name: expected exactly 1 control connection to port $port, saw $ctl"
    [[ $syn -ge 2 && $synack -eq $syn ]] || die "$name: incomplete handshakes (SYN $syn, SYN-ACK $synack)"
    [[ $fin -eq $((2 * syn)) ]] || die "$name: expected 2 FINs per connection ($syn), saw $fin"
    [[ $(ts -n -r "$f" -Y 'tcp.flags.reset==1' | wc -l) -eq 0 ]] || die "$name: capture contains RST segments"
    # shellcheck disable=SC2046
    ts -n -r "$f" $(decode_args "$name") -Y 'ftp.request.command == "QUIT"' | grep -q . ||
        die "$name: no QUIT in capture"
    [[ $(stat -c %s "$f") -lt 1000000 ]] || die "$name: capture too large"
}

for name in "${RECORDED[@]}"; do
    check_capture "$name"
done

mkdir -p "$PCAPS"
for name in "${RECORDED[@]}"; do
    install -m 644 "$WORK/$name.pcap" "$PCAPS/$name.pcap"
done

BEGIN_MARK='<!-- BEGIN record-fixtures.sh (generated, do not edit by hand) -->'
END_MARK='<!-- END record-fixtures.sh -->'

# Facts for README.md ------------------------------------------------------------
facts() { # name
    local name=$1 f=$PCAPS/$1.pcap d
    d=$(decode_args "$name")
    local packets syn fin
    packets=$(ts -n -r "$f" | wc -l)
    syn=$(ts -n -r "$f" -Y 'tcp.flags.syn==1 && tcp.flags.ack==0' | wc -l)
    fin=$(ts -n -r "$f" -Y 'tcp.flags.fin==1' | wc -l)
    echo "- packets: $packets; TCP connections (SYN without ACK): $syn; FIN segments: $fin; file size: $(stat -c %s "$f") bytes"
    # shellcheck disable=SC2086
    echo "- FTP reply codes, in order (one per reply line that carries a code): \`$(ts -n -r "$f" $d \
        -Y ftp.response.code -T fields -e ftp.response.code | paste -sd ' ')\`"
    echo "- TCP connections (initiator -> responder: payload bytes initiator->responder / responder->initiator):"
    ts -n -r "$f" -T fields -e tcp.stream -e ip.src -e ipv6.src -e tcp.srcport -e ip.dst -e ipv6.dst \
        -e tcp.dstport -e tcp.len -e tcp.flags.syn -e tcp.flags.ack |
        awk -F'\t' '
            { s = $1; src = ($2 != "" ? $2 : "[" $3 "]") ":" $4; dst = ($5 != "" ? $5 : "[" $6 "]") ":" $7 }
            $9 == "1" && $10 == "0" { cli[s] = src; srv[s] = dst; order[++n] = s }
            { if (src == cli[s]) up[s] += $8; else down[s] += $8 }
            END { for (i = 1; i <= n; i++) { s = order[i];
                  printf "  - stream %d: %s -> %s: %d / %d\n", s, cli[s], srv[s], up[s], down[s] } }'
    echo "- FTP commands (frame number, command, argument):"
    echo
    echo '  ```'
    # shellcheck disable=SC2086
    ts -n -r "$f" $d -Y ftp.request.command -T fields -e frame.number -e ftp.request.command \
        -e ftp.request.arg | sed -e 's/\t$//' -e 's/\t/ /g' -e 's/^/  /'
    echo '  ```'
}

SECTION=$WORK/readme-section.md
{
    cat <<EOF
$BEGIN_MARK
## Real FTP sessions recorded on loopback (scripts/record-fixtures.sh)

Generated by \`scripts/record-fixtures.sh\` (run as root via \`make fixtures\`); rerunning
replaces these captures and this section of the README (other files and text here are
left alone). All traffic is on loopback only (127.0.0.1 / ::1), recorded with
\`tcpdump -i lo -n -U -s 0\` (link type EN10MB, Ethernet header with zero MACs). Each of
these files holds exactly one FTP control connection with all of its data connections,
complete from SYN to FIN (no RST). Timestamps, ephemeral ports, sequence numbers and
packet counts change from one recording to the next; the facts below match the
committed files.

Credentials: user \`$FTP_USER\`, password \`$FTP_PASS\` (the failed attempt in
vsftpd-login-retry.pcap uses \`$FTP_BADPASS\`). Served files (home \`$FTP_HOME\`, chrooted,
so PWD is \`/\`): \`readme.txt\` ($(stat -c %s "$FIXTURES/home/readme.txt") bytes, testdata/fixtures/home/readme.txt),
\`data.bin\` (65536 bytes, sha256 $(gen_bytes 65536 42 | sha256sum | cut -d' ' -f1)),
\`pub/notes.txt\` ($(stat -c %s "$FIXTURES/home/pub/notes.txt") bytes). Uploaded: \`upload.txt\` ($(stat -c %s "$FIXTURES/client/upload.txt") bytes,
testdata/fixtures/client/upload.txt), \`upload.bin\` (20000 bytes, sha256 $(gen_bytes 20000 7 | sha256sum | cut -d' ' -f1)).
Servers: vsftpd $(dpkg-query -W -f '${Version}' vsftpd 2>/dev/null || echo '?') (configs in testdata/fixtures/vsftpd-*.conf, passive ports
$PASV_MIN-$PASV_MAX), pure-ftpd (passive ports $PURE_PASV_MIN-$PURE_PASV_MAX). Clients: tnftp, lftp, curl.

Things worth knowing when writing assertions: vsftpd sends each line of its multi-line
FEAT reply (211-Features: ... 211 End) in a separate TCP segment; lftp sends FEAT before
USER; on loopback a data segment carries up to 32768 bytes, so data.bin (65536 bytes)
travels in two segments; tnftp sends SIZE/MDTM around RETR and switches TYPE A/I.

### Captures (one line each)

EOF
    for name in "${RECORDED[@]}"; do
        case $name in
            vsftpd-active) echo "- \`vsftpd-active.pcap\`: vsftpd on 127.0.0.1:21, client tnftp (\`ftp -n -A\`, \`epsv4 off\`), ACTIVE mode: every data connection via PORT, opened by the server from port 20 to the client. USER/PASS login, LIST, RETR readme.txt, STOR upload.txt, PWD, CWD pub, LIST, QUIT (4 data connections)." ;;
            vsftpd-passive) echo "- \`vsftpd-passive.pcap\`: vsftpd on 127.0.0.1:21, client lftp, PASSIVE mode with PASV (227 replies, ports $PASV_MIN-$PASV_MAX). USER/PASS login, LIST, RETR data.bin (65536 bytes), STOR upload.bin (20000 bytes), QUIT (3 data connections)." ;;
            vsftpd-ipv6) echo "- \`vsftpd-ipv6.pcap\`: vsftpd on [::1]:21, client tnftp (\`ftp -6 -n\`), one IPv6 session: EPSV (229) for LIST and RETR readme.txt, then \`passive off\`: EPRT |2|::1|port| for STOR upload.txt and NLST pub (server connects from [::1]:20). USER/PASS login, QUIT (4 data connections)." ;;
            vsftpd-login-retry) echo "- \`vsftpd-login-retry.pcap\`: vsftpd on 127.0.0.1:21, client tnftp (\`ftp -n -p\`), one control connection: USER $FTP_USER / PASS $FTP_BADPASS -> 530 Login incorrect, then USER $FTP_USER / PASS $FTP_PASS -> 230, then LIST over EPSV, QUIT (1 data connection)." ;;
            vsftpd-port2121) echo "- \`vsftpd-port2121.pcap\`: vsftpd on 127.0.0.1:2121 (non-standard control port; decode with \`-d tcp.port==2121,ftp\`), client tnftp (\`ftp -n -p\`, \`epsv4 off\`), PASSIVE with PASV. USER/PASS login, LIST, RETR readme.txt, QUIT (2 data connections)." ;;
            pureftpd-passive) echo "- \`pureftpd-passive.pcap\`: pure-ftpd on 127.0.0.1:$PURE_PORT (\`-d tcp.port==$PURE_PORT,ftp\`), unix account login, client curl (two URLs, one reused connection), PASSIVE with EPSV (ports $PURE_PASV_MIN-$PURE_PASV_MAX). USER/PASS login, LIST /, RETR data.bin (65536 bytes), QUIT (2 data connections)." ;;
        esac
    done
    echo
    echo "### Facts per capture (extracted with tshark when the captures were recorded)"
    for name in "${RECORDED[@]}"; do
        echo
        echo "#### $name.pcap"
        echo
        facts "$name"
    done
    echo
    echo "$END_MARK"
} > "$SECTION"

# Replace our marked section of README.md, keeping anything else in the file.
README=$PCAPS/README.md
if [[ -f $README ]] && grep -qxF "$BEGIN_MARK" "$README" && grep -qxF "$END_MARK" "$README"; then
    awk -v b="$BEGIN_MARK" -v e="$END_MARK" -v sec="$SECTION" '
        $0 == b { while ((getline line < sec) > 0) print line; skip = 1; next }
        $0 == e { skip = 0; next }
        !skip' "$README" > "$WORK/README.new"
elif [[ -s $README ]]; then
    { cat "$README"; echo; cat "$SECTION"; } > "$WORK/README.new"
else
    { echo "# FTP fixture captures"; echo; cat "$SECTION"; } > "$WORK/README.new"
fi
install -m 644 "$WORK/README.new" "$README"

log "wrote: $(printf '%s.pcap ' "${RECORDED[@]}")README.md in $PCAPS"
