#!/usr/bin/env bash
# record-fixtures.sh - record real FTP sessions on loopback into testdata/pcaps/*.pcap
#
# Run as root from the repository root (this is what `make fixtures` does):
#     bash scripts/record-fixtures.sh                 # record every capture
#     bash scripts/record-fixtures.sh NAME...         # record only these, e.g.
#     bash scripts/record-fixtures.sh vsftpd-ftps vsftpd-fsops
#     bash scripts/record-fixtures.sh --readme        # record nothing, only rewrite the
#                                                     # README section from the captures
# NAME is a capture name without .pcap (see ALL_NAMES below, or run with --list).
# Captures not named are left as they are; the README section and the .sha256
# files are rewritten for every capture present in testdata/pcaps.
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
# Besides each capture, testdata/pcaps/NAME.sha256 (sha256sum format) lists the
# SHA-256 of every file the session transferred, as served or as uploaded, named
# by its server path; "#" lines mark partial transfers (REST, ABOR) and notes.
#
# Environment: KEEP_WORK=1 keeps the temporary work dir (server/client logs).
set -euo pipefail

# Every capture this script can record, in recording order.
ALL_NAMES=(vsftpd-active vsftpd-passive vsftpd-ipv6 vsftpd-login-retry vsftpd-port2121
    pureftpd-passive vsftpd-rest-abort vsftpd-appe-stou vsftpd-fsops vsftpd-anonymous
    vsftpd-ftps vsftpd-space-password vsftpd-bruteforce vsftpd-early-commands
    vsftpd-abor-complete vsftpd-snaplen vsftpd-pasv-reuse vsftpd-abor-idle)

if [[ ${1:-} == --list ]]; then printf '%s\n' "${ALL_NAMES[@]}"; exit 0; fi
if [[ ${1:-} == -h || ${1:-} == --help ]]; then
    echo "usage: sudo bash scripts/record-fixtures.sh [--list | --readme | NAME...]   (no NAME: record all)"
    exit 0
fi
WANTED=()
README_ONLY=0
if [[ ${1:-} == --readme ]]; then README_ONLY=1; shift; fi
for arg in "$@"; do
    arg=${arg%.pcap}
    ok=0
    for n in "${ALL_NAMES[@]}"; do [[ $n == "$arg" ]] && ok=1; done
    [[ $ok == 1 ]] || { echo "record-fixtures.sh: unknown capture '$arg' (try --list)" >&2; exit 2; }
    WANTED+=("$arg")
done
[[ ${#WANTED[@]} -gt 0 || $README_ONLY == 1 ]] || WANTED=("${ALL_NAMES[@]}")

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
SPACE_USER=ftpspace                    # second local user (vsftpd-space-password)
SPACE_PASS='correct horse'             # ... whose password contains a space
BRUTE_PASSWORDS=(123456 password ftptrace admin letmein qwerty) # vsftpd-bruteforce, all wrong
ANON_ROOT=/srv/ftptrace-anon           # anon_root of vsftpd-anonymous.conf
ANON_PASS=guest@example.org            # e-mail address sent as anonymous password
REST_OFFSET=40000                      # vsftpd-rest-abort: local partial data.bin, REST offset
BIG_SIZE=8388608                       # vsftpd-rest-abort: big.bin (8 MiB), download aborted
BIG_SEED=20240102
ABORT_AFTER=131072                     # ... SIGINT to tnftp once this many bytes arrived
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
# Second account with a space in its password; same (chrooted, read-only for it) home.
if ! id -u "$SPACE_USER" >/dev/null 2>&1; then
    log "creating user $SPACE_USER"
    useradd --home-dir "$FTP_HOME" --no-create-home --shell /bin/bash \
        --comment "ftptrace fixture FTP user (space in password)" "$SPACE_USER"
fi
if [[ $(getent passwd "$SPACE_USER" | cut -d: -f6) != "$FTP_HOME" ]]; then
    usermod --home "$FTP_HOME" "$SPACE_USER"
fi
if [[ $(getent passwd "$SPACE_USER" | cut -d: -f7) != /bin/bash ]]; then
    usermod --shell /bin/bash "$SPACE_USER"
fi
echo "$SPACE_USER:$SPACE_PASS" | chpasswd
# vsftpd's anonymous sessions run as ftp_username=ftp (created by the vsftpd package).
id -u ftp >/dev/null 2>&1 ||
    useradd --system --home-dir "$ANON_ROOT" --no-create-home --shell /usr/sbin/nologin ftp

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

reset_anon() { # anon_root: owned by root, read-only (vsftpd refuses a writable anon root)
    [[ $ANON_ROOT == /srv/ftptrace-anon ]] || die "refusing to reset unexpected anon root $ANON_ROOT"
    rm -rf "$ANON_ROOT"
    mkdir -p "$ANON_ROOT"
    cp -R "$FIXTURES/anon/." "$ANON_ROOT/"
    chown -R root:root "$ANON_ROOT"
    chmod -R u=rwX,go=rX "$ANON_ROOT"
    find "$ANON_ROOT" -exec touch -h -d "$STAMP" {} +
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

start_vsftpd() { # name port [-oOPTION=VALUE...]
    local name=$1 port=$2 conf=$WORK/$1.conf
    shift 2
    port_busy "$port" && die "port $port is already in use on this machine; stop that service first"
    port_busy 20 && die "port 20 is already in use on this machine"
    mkdir -p /var/run/vsftpd/empty
    install -m 600 -o root -g root "$FIXTURES/$name.conf" "$conf"
    log "starting vsftpd ($name.conf) on port $port"
    "$VSFTPD" "-ovsftpd_log_file=$WORK/$name.vsftpd.log" "$@" "$conf" \
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

start_capture() { # name bpf-filter [snaplen]
    local name=$1 filter=$2 snap=${3:-0} i
    rm -f "$WORK/$name.pcap"
    log "tcpdump -i lo -s $snap '$filter' -> $name.pcap"
    tcpdump -i lo -n -U -s "$snap" -Z root -w "$WORK/$name.pcap" "$filter" \
        > /dev/null 2> "$WORK/$name.tcpdump.err" < /dev/null &
    TCPDUMP_PID=$!
    OWN_PIDS+=("$TCPDUMP_PID")
    for ((i = 0; i < 100; i++)); do
        grep -qs 'listening on' "$WORK/$name.tcpdump.err" && { sleep 0.2; return 0; }
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

# ---------------------------------------------------------------------------
# helpers for the captures below
# ---------------------------------------------------------------------------
ts() { tshark "$@" 2>/dev/null; } # drop tshark's "running as root" warning

# stream_hashes NAME: one line per direction of each TCP connection that carried
# payload: "stream srcport bytes sha256" (payload bytes in capture order; loopback
# captures have no loss or retransmissions).
stream_hashes() {
    ts -n -r "$WORK/$1.pcap" -Y 'tcp.len > 0' -T fields -e tcp.stream -e tcp.srcport -e tcp.payload |
        perl -MDigest::SHA=sha256_hex -ne '
            chomp; my ($s, $p, $h) = split /\t/; $h =~ s/://g; my $k = "$s $p";
            push @o, $k unless exists $d{$k}; $d{$k} .= pack("H*", $h);
            END { printf "%s %d %s\n", $_, length $d{$_}, sha256_hex($d{$_}) for @o }'
}

# expect_payload NAME WHAT FILE...: each FILE's exact bytes travelled as the whole
# payload of one direction of one connection in the capture.
expect_payload() {
    local name=$1 what=$2 f h
    shift 2
    stream_hashes "$name" > "$WORK/$name.streams"
    for f in "$@"; do
        h=$(sha256sum < "$f" | cut -d' ' -f1)
        grep -q " $h\$" "$WORK/$name.streams" ||
            die "$name $what: $(basename "$f") (sha256 $h) is not the payload of any connection in the capture"
    done
}

# expect_prefix NAME FILE: some connection carried a non-empty proper prefix of
# FILE (an aborted download); prints its length.
expect_prefix() {
    local name=$1 file=$2
    ts -n -r "$WORK/$name.pcap" -Y 'tcp.len > 0' -T fields -e tcp.stream -e tcp.srcport -e tcp.payload |
        perl -e '
            open my $fh, "<:raw", $ARGV[0] or die; local $/; my $orig = <$fh>; close $fh; $/ = "\n";
            while (<STDIN>) { chomp; my ($s, $p, $h) = split /\t/; $h =~ s/://g; $d{"$s $p"} .= pack("H*", $h) }
            for (values %d) { my $n = length;
                if ($n > 4096 && $n < length $orig && $_ eq substr($orig, 0, $n)) { print "$n\n"; exit 0 } }
            exit 1' "$file" ||
        die "$name: no connection carries a proper prefix of $(basename "$file")"
}

# run_ftp_bg NAME: tnftp in the background (commands on stdin from $WORK/NAME.cmds),
# PID in CLIENT_PID; no timeout(1) wrapper, so a SIGINT reaches tnftp itself.
CLIENT_PID=
run_ftp_bg() { # name ftp-args...
    local name=$1
    shift
    (cd "$CLIENT" && exec ftp "$@") < "$WORK/$name.cmds" > "$WORK/$name.client.log" 2>&1 &
    CLIENT_PID=$!
    OWN_PIDS+=("$CLIENT_PID")
}

wait_client() { # name seconds
    local i rc=0
    for ((i = 0; i < $2 * 10; i++)); do
        kill -0 "$CLIENT_PID" 2>/dev/null || break
        sleep 0.1
    done
    kill -0 "$CLIENT_PID" 2>/dev/null && { stop_pid "$CLIENT_PID" TERM; cat "$WORK/$1.client.log" >&2; die "client for $1 hung"; }
    wait "$CLIENT_PID" || rc=$?
    stop_pid "$CLIENT_PID"
    CLIENT_PID=
    [[ $rc -eq 0 ]] || { cat "$WORK/$1.client.log" >&2; die "client for $1 failed (exit $rc)"; }
}

# 7. vsftpd, passive, tnftp: REST + RETR (reget), then ABOR during a RETR --------
# vsftpd throttles downloads (local_max_rate=200000) and handles ABOR during a
# transfer (async_abor_enable=YES). tnftp resumes a local partial data.bin
# (reget: REST 40000, RETR data.bin), then starts "get big.bin" (8 MiB); once
# ABORT_AFTER bytes have arrived the script sends tnftp SIGINT, and tnftp sends
# IAC IP (urgent) IAC DM "ABOR", drains the data connection to EOF and reads the
# replies 426 (for the RETR) and 225 (for the ABOR). Then QUIT.
record_rest_abort() {
    local name=vsftpd-rest-abort i got=0
    reset_home; reset_client
    gen_bytes "$BIG_SIZE" "$BIG_SEED" > "$FTP_HOME/big.bin"
    chown "$FTP_USER:$FTP_USER" "$FTP_HOME/big.bin"
    touch -d "$STAMP" "$FTP_HOME/big.bin"
    head -c "$REST_OFFSET" "$FTP_HOME/data.bin" > "$CLIENT/data.bin"
    start_vsftpd "$name" 21
    start_capture "$name" "tcp and host 127.0.0.1 and (port 21 or portrange $PASV_MIN-$PASV_MAX)"
    cat > "$WORK/$name.cmds" <<EOF
epsv4 off
user $FTP_USER $FTP_PASS
binary
reget data.bin
get big.bin
quit
EOF
    run_ftp_bg "$name" -n -v -p 127.0.0.1 21
    for ((i = 0; i < 300; i++)); do
        got=$(stat -c %s "$CLIENT/big.bin" 2>/dev/null || echo 0)
        [[ $got -ge $ABORT_AFTER ]] && break
        kill -0 "$CLIENT_PID" 2>/dev/null || break
        sleep 0.05
    done
    [[ $got -ge $ABORT_AFTER ]] || { cat "$WORK/$name.client.log" >&2; die "$name: big.bin download did not start"; }
    log "$name: $got bytes of big.bin received, sending SIGINT to tnftp (PID $CLIENT_PID)"
    kill -s INT "$CLIENT_PID"
    wait_client "$name" 30
    stop_capture "$name"
    stop_server
    same_file "$FTP_HOME/data.bin" "$CLIENT/data.bin" "$name REST+RETR"
    grep -q '^426' "$WORK/$name.client.log" || die "$name: no 426 reply seen by the client"
    grep -q '^22[56]' "$WORK/$name.client.log" || die "$name: no 225/226 reply to ABOR seen by the client"
    got=$(stat -c %s "$CLIENT/big.bin")
    [[ $got -lt $BIG_SIZE ]] || die "$name: big.bin was not aborted (got all $got bytes)"
    tail -c +$((REST_OFFSET + 1)) "$FTP_HOME/data.bin" > "$WORK/$name.tail"
    expect_payload "$name" "REST+RETR" "$WORK/$name.tail"
    ABORT_BYTES=$(expect_prefix "$name" "$FTP_HOME/big.bin")
    log "$name: $ABORT_BYTES bytes of big.bin on the wire before the data connection closed"
    echo "$ABORT_BYTES" > "$WORK/$name.abort-bytes"
    RECORDED+=("$name")
}

# 8. vsftpd, passive, tnftp: STOR, APPE (append) and STOU (sunique) -------------
record_appe_stou() {
    local name=vsftpd-appe-stou
    reset_home; reset_client
    start_vsftpd "$name" 21
    start_capture "$name" "tcp and host 127.0.0.1 and (port 21 or portrange $PASV_MIN-$PASV_MAX)"
    run_client "$name" ftp -n -v -p 127.0.0.1 21 <<EOF
epsv4 off
user $FTP_USER $FTP_PASS
put upload.txt
append upload.txt
sunique on
put upload.txt
ls
quit
EOF
    stop_capture "$name"
    stop_server
    cat "$CLIENT/upload.txt" "$CLIENT/upload.txt" > "$WORK/$name.twice"
    same_file "$WORK/$name.twice" "$FTP_HOME/upload.txt" "$name STOR+APPE"
    same_file "$CLIENT/upload.txt" "$FTP_HOME/upload.txt.1" "$name STOU"
    grep -q '^150 FILE: upload.txt.1' "$WORK/$name.client.log" || die "$name: no '150 FILE: upload.txt.1' reply to STOU"
    expect_payload "$name" "uploads" "$CLIENT/upload.txt"
    [[ $(grep -c " 342 $(sha256sum < "$CLIENT/upload.txt" | cut -d' ' -f1)\$" "$WORK/$name.streams") -eq 3 ]] ||
        die "$name: expected 3 data connections carrying upload.txt"
    RECORDED+=("$name")
}

# 9. vsftpd, passive, tnftp: directory and file operations, one failing DELE ----
record_fsops() {
    local name=vsftpd-fsops
    reset_home; reset_client
    start_vsftpd "$name" 21
    start_capture "$name" "tcp and host 127.0.0.1 and (port 21 or portrange $PASV_MIN-$PASV_MAX)"
    run_client "$name" ftp -n -v -p 127.0.0.1 21 <<EOF
epsv4 off
user $FTP_USER $FTP_PASS
mkdir newdir
cd newdir
put upload.txt
rename upload.txt renamed.txt
chmod 644 renamed.txt
delete missing.txt
delete renamed.txt
cdup
rmdir newdir
quit
EOF
    stop_capture "$name"
    stop_server
    [[ ! -e $FTP_HOME/newdir ]] || die "$name: newdir still exists after RMD"
    local code
    for code in 257 350 550; do
        grep -q "^$code " "$WORK/$name.client.log" || die "$name: no $code reply seen by the client"
    done
    grep -q '^200 SITE CHMOD command ok' "$WORK/$name.client.log" || die "$name: SITE CHMOD failed"
    expect_payload "$name" "STOR" "$CLIENT/upload.txt"
    RECORDED+=("$name")
}

# 10. vsftpd anonymous only, passive, tnftp -------------------------------------
record_anonymous() {
    local name=vsftpd-anonymous
    reset_home; reset_anon; reset_client
    start_vsftpd "$name" 21
    start_capture "$name" "tcp and host 127.0.0.1 and (port 21 or portrange $PASV_MIN-$PASV_MAX)"
    run_client "$name" ftp -n -v -p 127.0.0.1 21 <<EOF
epsv4 off
user anonymous $ANON_PASS
ls
get welcome.txt
quit
EOF
    stop_capture "$name"
    stop_server
    same_file "$ANON_ROOT/welcome.txt" "$CLIENT/welcome.txt" "$name RETR"
    expect_payload "$name" "RETR" "$ANON_ROOT/welcome.txt"
    RECORDED+=("$name")
}

# 11. vsftpd explicit FTPS, two sessions: curl (AUTH SSL) then lftp (AUTH TLS) --
# Fresh self-signed certificate per run (in the work dir, never committed).
record_ftps() {
    local name=vsftpd-ftps pem=$WORK/vsftpd-ftps.pem
    reset_home; reset_client
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj /CN=localhost \
        -keyout "$pem" -out "$pem.crt" > "$WORK/$name.openssl.log" 2>&1 ||
        { cat "$WORK/$name.openssl.log" >&2; die "openssl req failed"; }
    cat "$pem.crt" >> "$pem"
    chmod 600 "$pem"
    start_vsftpd "$name" 21 "-orsa_cert_file=$pem" "-orsa_private_key_file=$pem"
    start_capture "$name" "tcp and host 127.0.0.1 and (port 21 or portrange $PASV_MIN-$PASV_MAX)"
    run_client "$name-curl" curl --silent --show-error --fail --max-time 30 --noproxy '*' \
        --ssl-reqd --insecure --user "$FTP_USER:$FTP_PASS" \
        "ftp://127.0.0.1:21/" -o "$CLIENT/list.txt" \
        "ftp://127.0.0.1:21/readme.txt" -o "$CLIENT/readme.txt" < /dev/null
    sleep 0.5
    run_client "$name-lftp" lftp -c "$LFTP_SETTINGS; set ftp:ssl-allow yes; set ftp:ssl-force true; \
set ftp:ssl-protect-data true; set ftp:ssl-protect-list true; set ssl:verify-certificate no; \
set ftp:passive-mode on; set ftp:prefer-epsv no; \
open -u $FTP_USER,$FTP_PASS ftp://127.0.0.1:21; ls; get data.bin; quit" < /dev/null
    stop_capture "$name"
    stop_server
    grep -q readme.txt "$CLIENT/list.txt" || die "$name: curl LIST output lacks readme.txt"
    same_file "$FTP_HOME/readme.txt" "$CLIENT/readme.txt" "$name RETR (curl)"
    same_file "$FTP_HOME/data.bin" "$CLIENT/data.bin" "$name RETR (lftp)"
    RECORDED+=("$name")
}

# 12. vsftpd, passive, curl: user ftpspace, password "correct horse" ------------
record_space_password() {
    local name=vsftpd-space-password
    reset_home; reset_client
    start_vsftpd "$name" 21
    start_capture "$name" "tcp and host 127.0.0.1 and (port 21 or portrange $PASV_MIN-$PASV_MAX)"
    # curl URL-decodes the user info: it sends "PASS correct horse".
    run_client "$name" curl --silent --show-error --fail --max-time 30 --noproxy '*' \
        "ftp://$SPACE_USER:${SPACE_PASS// /%20}@127.0.0.1:21/" -o "$CLIENT/list.txt" < /dev/null
    stop_capture "$name"
    stop_server
    grep -q readme.txt "$CLIENT/list.txt" || die "$name: LIST output lacks readme.txt"
    RECORDED+=("$name")
}

# 13. vsftpd, passive, curl: 6 failed logins (a connection each), then success --
record_bruteforce() {
    local name=vsftpd-bruteforce pw rc i=0
    reset_home; reset_client
    start_vsftpd "$name" 21
    start_capture "$name" "tcp and host 127.0.0.1 and (port 21 or portrange $PASV_MIN-$PASV_MAX)"
    : > "$WORK/$name.client.log"
    for pw in "${BRUTE_PASSWORDS[@]}"; do
        i=$((i + 1))
        rc=0
        (cd "$CLIENT" && timeout "$CLIENT_TIMEOUT" curl --silent --show-error --max-time 30 --noproxy '*' \
            --user "$FTP_USER:$pw" "ftp://127.0.0.1:21/" -o "$CLIENT/list-$i.txt") \
            >> "$WORK/$name.client.log" 2>&1 < /dev/null || rc=$?
        # 67: CURLE_LOGIN_DENIED
        [[ $rc -eq 67 ]] || { cat "$WORK/$name.client.log" >&2; die "$name: attempt $i ($pw): curl exit $rc, expected 67"; }
    done
    run_client "$name-ok" curl --silent --show-error --fail --max-time 30 --noproxy '*' \
        --user "$FTP_USER:$FTP_PASS" "ftp://127.0.0.1:21/" -o "$CLIENT/list.txt" < /dev/null
    stop_capture "$name"
    stop_server
    grep -q readme.txt "$CLIENT/list.txt" || die "$name: LIST output lacks readme.txt"
    RECORDED+=("$name")
}

# A scripted client (scripts/ftp-script-client.py) for what the usual
# clients never do.
SCRIPT_CLIENT=$REPO_ROOT/scripts/ftp-script-client.py
need_cmd python3 python3

# 14. vsftpd, a scripted client that sends its commands before the 220 --------
# The client writes USER, PASS, SYST, PWD and QUIT right after connect(); vsftpd
# greets a moment later and answers them in order. The capture must show the
# first command before the 220 (it always has so far); else it is recorded again.
record_early_commands() {
    local name=vsftpd-early-commands try first greet
    for try in 1 2 3 4 5; do
        reset_home; reset_client
        start_vsftpd "$name" 21
        start_capture "$name" 'tcp and host 127.0.0.1 and port 21'
        run_client "$name" python3 "$SCRIPT_CLIENT" early 21 "$FTP_USER" "$FTP_PASS"
        stop_capture "$name"
        stop_server
        first=$(ts -n -r "$WORK/$name.pcap" -Y 'ftp.request.command' -T fields -e frame.number | head -1)
        greet=$(ts -n -r "$WORK/$name.pcap" -Y 'ftp.response.code == 220' -T fields -e frame.number | head -1)
        [[ -n $first && -n $greet && $first -lt $greet ]] && { RECORDED+=("$name"); return 0; }
        log "$name: try $try: the 220 (frame $greet) came before the first command (frame $first); again"
    done
    die "$name: the client never got its commands out before the greeting"
}

# 15. vsftpd, a scripted client that sends ABOR once every byte arrived --------
# SIZE data.bin, PASV, RETR data.bin; once the 65536 bytes SIZE announced are in,
# the client sends ABOR before the 226 (as some clients always do); vsftpd answers
# 226 Transfer complete, then 225 No transfer to ABOR. The capture must show the
# ABOR before the 226; else it is recorded again.
record_abor_complete() {
    local name=vsftpd-abor-complete try abor done226
    for try in 1 2 3 4 5 6 7 8; do
        reset_home; reset_client
        start_vsftpd "$name" 21
        start_capture "$name" "tcp and host 127.0.0.1 and (port 21 or portrange $PASV_MIN-$PASV_MAX)"
        run_client "$name" python3 "$SCRIPT_CLIENT" abor-after-eof 21 "$FTP_USER" "$FTP_PASS" data.bin
        stop_capture "$name"
        stop_server
        abor=$(ts -n -r "$WORK/$name.pcap" -Y 'ftp.request.command == "ABOR"' -T fields -e frame.number | head -1)
        done226=$(ts -n -r "$WORK/$name.pcap" -Y 'ftp.response.code == 226' -T fields -e frame.number | head -1)
        if [[ -n $abor && -n $done226 && $abor -lt $done226 ]]; then
            expect_payload "$name" RETR "$FTP_HOME/data.bin"
            RECORDED+=("$name")
            return 0
        fi
        log "$name: try $try: the 226 (frame $done226) came before the ABOR (frame $abor); again"
    done
    die "$name: the ABOR never got out before the 226"
}

# 15b. vsftpd, a scripted client that sends ABOR after the 226 --------------------
# SIZE data.bin, PASV, RETR data.bin, the whole file and its 226; then, as
# Kaspersky's updater does after every download, IAC IP, the Synch (IAC as TCP
# urgent data, then DM) and ABOR, with no transfer left to abort; NOOP, QUIT.
record_abor_idle() {
    local name=vsftpd-abor-idle
    reset_home; reset_client
    start_vsftpd "$name" 21
    start_capture "$name" "tcp and host 127.0.0.1 and (port 21 or portrange $PASV_MIN-$PASV_MAX)"
    run_client "$name" python3 "$SCRIPT_CLIENT" abor-after-226 21 "$FTP_USER" "$FTP_PASS" data.bin
    stop_capture "$name"
    stop_server
    expect_payload "$name" RETR "$FTP_HOME/data.bin"
    RECORDED+=("$name")
}

# 16. vsftpd, passive, lftp, captured with a snap length of 200 bytes ----------
# tcpdump -s 200 keeps 200 bytes of each frame: 134 bytes of TCP payload after the
# Ethernet, IPv4 and TCP (with timestamps) headers. Commands and replies fit; the
# data segments (up to 32768 bytes on loopback) are cut, the last one too, and the
# FIN behind it proves how long it was.
SNAPLEN=200
record_snaplen() {
    local name=vsftpd-snaplen
    reset_home; reset_client
    start_vsftpd "$name" 21
    start_capture "$name" "tcp and host 127.0.0.1 and (port 21 or portrange $PASV_MIN-$PASV_MAX)" "$SNAPLEN"
    run_client "$name" lftp -c "$LFTP_SETTINGS; set ftp:passive-mode on; set ftp:prefer-epsv no; \
open -u $FTP_USER,$FTP_PASS ftp://127.0.0.1:21; ls; get data.bin; quit" < /dev/null
    stop_capture "$name"
    stop_server
    same_file "$FTP_HOME/data.bin" "$CLIENT/data.bin" "$name RETR"
    [[ $(ts -n -r "$WORK/$name.pcap" -Y "frame.cap_len < frame.len" | wc -l) -gt 0 ]] ||
        die "$name: no packet was cut by the snap length"
    RECORDED+=("$name")
}

# 17. vsftpd, a scripted client: PASV, a RETR refused with 550, a RETR over it --
record_pasv_reuse() {
    local name=vsftpd-pasv-reuse
    reset_home; reset_client
    start_vsftpd "$name" 21
    start_capture "$name" "tcp and host 127.0.0.1 and (port 21 or portrange $PASV_MIN-$PASV_MAX)"
    run_client "$name" python3 "$SCRIPT_CLIENT" pasv-reuse 21 "$FTP_USER" "$FTP_PASS" data.bin
    stop_capture "$name"
    stop_server
    [[ $(ts -n -r "$WORK/$name.pcap" -Y 'ftp.request.command == "PASV"' | wc -l) -eq 1 ]] || die "$name: want exactly one PASV"
    expect_payload "$name" RETR "$FTP_HOME/data.bin"
    RECORDED+=("$name")
}

for name in "${WANTED[@]}"; do
    case $name in
        vsftpd-active) record_active ;;
        vsftpd-passive) record_passive ;;
        vsftpd-ipv6) record_ipv6 ;;
        vsftpd-login-retry) record_login_retry ;;
        vsftpd-port2121) record_port2121 ;;
        pureftpd-passive) record_pureftpd ;;
        vsftpd-rest-abort) record_rest_abort ;;
        vsftpd-appe-stou) record_appe_stou ;;
        vsftpd-fsops) record_fsops ;;
        vsftpd-anonymous) record_anonymous ;;
        vsftpd-ftps) record_ftps ;;
        vsftpd-space-password) record_space_password ;;
        vsftpd-bruteforce) record_bruteforce ;;
        vsftpd-early-commands) record_early_commands ;;
        vsftpd-abor-complete) record_abor_complete ;;
        vsftpd-abor-idle) record_abor_idle ;;
        vsftpd-snaplen) record_snaplen ;;
        vsftpd-pasv-reuse) record_pasv_reuse ;;
        *) die "no recorder for $name" ;;
    esac
done

# ---------------------------------------------------------------------------
# checks, install, README
# ---------------------------------------------------------------------------
abor_reply() { # name -> the reply to ABOR as the capture shows it
    ts -n -r "$PCAPS/$1.pcap" -Y 'ftp.response.code == 225 || ftp.response.code == 226' -T fields -e ftp.response.code -e ftp.response.arg |
        tail -1 | awk -F'\t' '{ printf "`%s %s`", $1, $2 }'
}

decode_args() { # name -> tshark -d option for the control port
    case $1 in
        vsftpd-port2121) echo "-d tcp.port==2121,ftp" ;;
        pureftpd-passive) echo "-d tcp.port==$PURE_PORT,ftp" ;;
        *) echo "" ;;
    esac
}

control_port() { # name
    case $1 in
        vsftpd-port2121) echo 2121 ;;
        pureftpd-passive) echo "$PURE_PORT" ;;
        *) echo 21 ;;
    esac
}

control_count() { # name -> number of control connections in the capture
    case $1 in
        vsftpd-ftps) echo 2 ;;                                       # curl, then lftp
        vsftpd-bruteforce) echo $((${#BRUTE_PASSWORDS[@]} + 1)) ;;   # one per login attempt
        *) echo 1 ;;
    esac
}

check_capture() { # name
    local name=$1 f=$WORK/$1.pcap bad syn synack fin rst ctl port want quits
    port=$(control_port "$name")
    want=$(control_count "$name")
    bad=$(ts -n -r "$f" -T fields -e ip.src -e ip.dst -e ipv6.src -e ipv6.dst |
        tr '\t' '\n' | grep -v -x -e '' -e 127.0.0.1 -e ::1 || true)
    [[ -z $bad ]] || die "$name: non-loopback address in capture: $bad"
    syn=$(ts -n -r "$f" -Y 'tcp.flags.syn==1 && tcp.flags.ack==0' | wc -l)
    synack=$(ts -n -r "$f" -Y 'tcp.flags.syn==1 && tcp.flags.ack==1' | wc -l)
    fin=$(ts -n -r "$f" -Y 'tcp.flags.fin==1' | wc -l)
    ctl=$(ts -n -r "$f" -Y "tcp.flags.syn==1 && tcp.flags.ack==0 && tcp.dstport==$port" | wc -l)
    [[ $ctl -eq $want ]] || die "$name: expected exactly $want control connection(s) to port $port, saw $ctl"
    [[ $syn -ge 1 && $synack -eq $syn ]] || die "$name: incomplete handshakes (SYN $syn, SYN-ACK $synack)"
    rst=$(ts -n -r "$f" -Y 'tcp.flags.reset==1' | wc -l)
    if [[ $name == vsftpd-ftps ]]; then
        # A client may send its TLS close_notify after vsftpd answered 221 and closed
        # the control connection (lftp always does, curl sometimes), so the server's
        # kernel answers it with RST and the client's FIN never comes. Allow that (and only that): RST from port 21, at most one
        # per control connection, each replacing the client's FIN.
        [[ $(ts -n -r "$f" -Y "tcp.flags.reset==1 && tcp.srcport==$port" | wc -l) -eq $rst && $rst -le $want ]] ||
            die "$name: unexpected RST segments"
        [[ $((fin + rst)) -eq $((2 * syn)) ]] || die "$name: expected 2 FINs (or FIN + RST) per connection ($syn), saw $fin FIN, $rst RST"
    else
        [[ $fin -eq $((2 * syn)) ]] || die "$name: expected 2 FINs per connection ($syn), saw $fin"
        [[ $rst -eq 0 ]] || die "$name: capture contains RST segments"
    fi
    if [[ $name == vsftpd-ftps ]]; then
        # QUIT travels inside TLS: check the clear-text part (AUTH -> 234) instead,
        # and that control and data connections carry TLS application data.
        [[ $(ts -n -r "$f" -Y 'ftp.request.command == "AUTH"' | wc -l) -ge $want ]] || die "$name: AUTH missing"
        [[ $(ts -n -r "$f" -Y 'ftp.response.code == 234' | wc -l) -eq $want ]] || die "$name: 234 missing"
        # Data connections: TLS application data (TLS 1.3: opaque_type).
        [[ $(ts -n -r "$f" -d "tcp.port==$PASV_MIN-$PASV_MAX,tls" -T fields -e tcp.stream \
            -Y "tcp.port != $port && (tls.record.opaque_type == 23 || tls.record.content_type == 23)" |
            sort -u | wc -l) -eq $((syn - want)) ]] || die "$name: not every data connection carries TLS application data"
        # Control connections: a TLS handshake record right after "AUTH ..." and
        # right after the 234 reply (tshark only switches to TLS after AUTH TLS).
        ts -n -r "$f" -Y "tcp.len > 0 && tcp.port == $port" -T fields -e tcp.stream -e tcp.srcport -e tcp.payload |
            perl -ne 'chomp; my ($s, $p, $h) = split /\t/; $h =~ s/://g; $d{$s}{$p == $port ? "s" : "c"} .= pack("H*", $h);
                BEGIN { $port = shift @ARGV }
                END { for (keys %d) { exit 1 unless $d{$_}{c} =~ /^AUTH (TLS|SSL)\r\n\x16\x03/m
                                                 && $d{$_}{s} =~ /^234 [^\r]*\r\n\x16\x03/m } exit 0 }' "$port" ||
            die "$name: a control connection does not start TLS right after AUTH / 234"
    else
        # curl closes the connection after "530 Login incorrect" without QUIT, so in
        # vsftpd-bruteforce only the final, successful session sends QUIT.
        quits=$want
        [[ $name == vsftpd-bruteforce ]] && quits=1
        # shellcheck disable=SC2046
        [[ $(ts -n -r "$f" $(decode_args "$name") -Y 'ftp.request.command == "QUIT"' | wc -l) -eq $quits ]] ||
            die "$name: expected $quits QUIT command(s) in capture"
    fi
    [[ $(stat -c %s "$f") -lt 1000000 ]] || die "$name: capture too large"
}

for name in "${RECORDED[@]}"; do
    check_capture "$name"
done

mkdir -p "$PCAPS"
for name in "${RECORDED[@]}"; do
    install -m 644 "$WORK/$name.pcap" "$PCAPS/$name.pcap"
done

# NAME.sha256 beside each capture -------------------------------------------------
# sha256sum format, one line per file transfer (in capture order): the SHA-256 of
# the original file bytes as served or as uploaded, named by the server path. A
# "# partial: ..." or "# encrypted: ..." line applies to the one entry after it
# (transfer partial: REST offset or ABOR; or inside TLS); "# note: ..." lines
# are only information.
# Captures that transferred no file (only LIST) get no .sha256 file.
sha_of() { sha256sum < "$1" | cut -d' ' -f1; }
H_README=$(sha_of "$FIXTURES/home/readme.txt")
H_UPTXT=$(sha_of "$FIXTURES/client/upload.txt")
H_DATA=$(gen_bytes 65536 42 | sha256sum | cut -d' ' -f1)
H_UPBIN=$(gen_bytes 20000 7 | sha256sum | cut -d' ' -f1)
H_WELCOME=$(sha_of "$FIXTURES/anon/welcome.txt")

sha_lines() { # name -> content of NAME.sha256 (nothing: no file transferred)
    local two tail_h
    case $1 in
        vsftpd-active | vsftpd-ipv6)
            echo "$H_README  /readme.txt"
            echo "$H_UPTXT  /upload.txt" ;;
        vsftpd-passive)
            echo "$H_DATA  /data.bin"
            echo "$H_UPBIN  /upload.bin" ;;
        vsftpd-port2121) echo "$H_README  /readme.txt" ;;
        pureftpd-passive) echo "$H_DATA  /data.bin" ;;
        vsftpd-rest-abort)
            tail_h=$(gen_bytes 65536 42 | tail -c +$((REST_OFFSET + 1)) | sha256sum | cut -d' ' -f1)
            echo "# partial: REST $REST_OFFSET then RETR data.bin: only bytes $REST_OFFSET..65535 transferred ($((65536 - REST_OFFSET)) bytes, sha256 $tail_h)"
            echo "$H_DATA  /data.bin"
            echo "# partial: aborted: ABOR during RETR big.bin ($BIG_SIZE bytes): only the first $(cat "$WORK/vsftpd-rest-abort.abort-bytes" 2>/dev/null || echo '?') bytes transferred"
            echo "$(gen_bytes "$BIG_SIZE" "$BIG_SEED" | sha256sum | cut -d' ' -f1)  /big.bin" ;;
        vsftpd-appe-stou)
            two=$(cat "$FIXTURES/client/upload.txt" "$FIXTURES/client/upload.txt" | sha256sum | cut -d' ' -f1)
            echo "# note: STOR upload.txt, APPE upload.txt (the same bytes again; /upload.txt on the server is then both copies: $((2 * $(stat -c %s "$FIXTURES/client/upload.txt"))) bytes, sha256 $two), STOU upload.txt (stored as /upload.txt.1)"
            echo "$H_UPTXT  /upload.txt"
            echo "$H_UPTXT  /upload.txt"
            echo "$H_UPTXT  /upload.txt.1" ;;
        vsftpd-fsops)
            echo "# note: STOR in /newdir; afterwards renamed to /newdir/renamed.txt and deleted"
            echo "$H_UPTXT  /newdir/upload.txt" ;;
        vsftpd-anonymous) echo "$H_WELCOME  /welcome.txt" ;;
        vsftpd-abor-complete)
            echo "# note: ABOR sent once all 65536 bytes had arrived, before the 226: the transfer is complete"
            echo "$H_DATA  /data.bin" ;;
        vsftpd-pasv-reuse) echo "$H_DATA  /data.bin" ;;
        vsftpd-abor-idle)
            echo "# note: ABOR sent after the 226, with nothing left to abort: the transfer is complete"
            echo "$H_DATA  /data.bin" ;;
        vsftpd-snaplen)
            echo "# partial: captured with a snap length of $SNAPLEN bytes: most of each data segment is not in the capture"
            echo "$H_DATA  /data.bin" ;;
        vsftpd-ftps)
            echo "# encrypted: session 1 (curl) RETR readme.txt inside TLS (PROT P), payload not visible"
            echo "$H_README  /readme.txt"
            echo "# encrypted: session 2 (lftp) RETR data.bin inside TLS (PROT P), payload not visible"
            echo "$H_DATA  /data.bin" ;;
    esac
}

# Rewritten for every capture recorded now, and written for captures present in
# testdata/pcaps that have none yet.
for name in "${ALL_NAMES[@]}"; do
    [[ -f $PCAPS/$name.pcap ]] || continue
    recorded=0
    for n in "${RECORDED[@]}"; do [[ $n == "$name" ]] && recorded=1; done
    [[ $recorded == 1 || ! -f $PCAPS/$name.sha256 ]] || continue
    sha_lines "$name" > "$WORK/$name.sha256"
    if [[ -s $WORK/$name.sha256 ]]; then
        install -m 644 "$WORK/$name.sha256" "$PCAPS/$name.sha256"
    fi
done

BEGIN_MARK='<!-- BEGIN record-fixtures.sh (generated, do not edit by hand) -->'
END_MARK='<!-- END record-fixtures.sh -->'

# Facts for README.md ------------------------------------------------------------
facts() { # name
    local name=$1 f=$PCAPS/$1.pcap d
    d=$(decode_args "$name")
    local packets syn fin rst
    packets=$(ts -n -r "$f" | wc -l)
    syn=$(ts -n -r "$f" -Y 'tcp.flags.syn==1 && tcp.flags.ack==0' | wc -l)
    fin=$(ts -n -r "$f" -Y 'tcp.flags.fin==1' | wc -l)
    rst=$(ts -n -r "$f" -Y 'tcp.flags.reset==1' | wc -l)
    echo "- packets: $packets; TCP connections (SYN without ACK): $syn; FIN segments: $fin;$([[ $rst -eq 0 ]] || echo " RST segments: $rst;") file size: $(stat -c %s "$f") bytes"
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
    # Segments that are not a printable command (the Telnet IAC IP / DM bytes
    # around ABOR) are shown as "[raw]" with \xHH escapes; TLS records (after
    # AUTH SSL, which tshark does not follow) are left out.
    ts -n -r "$f" $d -Y ftp.request.command -T fields -e frame.number -e ftp.request.command \
        -e ftp.request.arg -e tcp.payload |
        perl -ne 'chomp; my ($n, $c, $a, $h) = split /\t/, $_, 4; $h =~ s/://g; my $raw = pack("H*", $h);
            next if $raw =~ /^[\x14-\x17]\x03/;
            if ($c =~ /^[A-Za-z]{3,4}$/ && $a =~ /^[\x20-\x7e]*$/) { print "  $n $c", (length $a ? " $a" : ""), "\n"; next }
            $raw =~ s/\r\n$//; $raw =~ s/([^\x20-\x7e])/sprintf("\\x%02x", ord $1)/ge; print "  $n [raw] $raw\n"'
    echo '  ```'
}

SECTION=$WORK/readme-section.md
{
    cat <<EOF
$BEGIN_MARK
## Real FTP sessions recorded on loopback (scripts/record-fixtures.sh)

Generated by \`scripts/record-fixtures.sh\` (run as root via \`make fixtures\`, which
records all of them; \`bash scripts/record-fixtures.sh NAME...\` records only the named
ones); rerunning replaces those captures, their \`.sha256\` files and this section of the
README (other files and text here are left alone). All traffic is on loopback only
(127.0.0.1 / ::1), recorded with \`tcpdump -i lo -n -U -s 0\` (link type EN10MB, Ethernet
header with zero MACs). Each of these files holds exactly one FTP control connection with
all of its data connections, complete from SYN to FIN (no RST), except
vsftpd-bruteforce.pcap ($((${#BRUTE_PASSWORDS[@]} + 1)) control connections) and vsftpd-ftps.pcap (2 sessions; a
control connection may end with a RST from the server, see below). Timestamps, ephemeral ports, sequence
numbers and packet counts change from one recording to the next; the facts below match
the committed files.

\`NAME.sha256\` beside a capture (sha256sum format) lists, one line per file transfer in
capture order, the SHA-256 of the original file bytes as served or as uploaded, named by
the server path. A \`# partial: ...\` or \`# encrypted: ...\` line applies to the one entry
right after it (only part of the file travelled: REST offset or ABOR; or the transfer ran
inside TLS); \`# note: ...\` lines are information only. Every other entry's hash equals the
SHA-256 of one direction of one data connection's payload. Captures that transferred no
file (only LIST) have no \`.sha256\`.

Credentials: user \`$FTP_USER\`, password \`$FTP_PASS\` (the failed attempt in
vsftpd-login-retry.pcap uses \`$FTP_BADPASS\`; vsftpd-bruteforce.pcap tries
$(printf '`%s` ' "${BRUTE_PASSWORDS[@]}")first); user \`$SPACE_USER\`, password
\`$SPACE_PASS\` (with a space; same home); anonymous login (\`USER anonymous\`, \`PASS $ANON_PASS\`)
in vsftpd-anonymous.pcap, served from \`$ANON_ROOT\` = testdata/fixtures/anon (\`welcome.txt\`,
$(stat -c %s "$FIXTURES/anon/welcome.txt") bytes, sha256 $H_WELCOME). Served files (home \`$FTP_HOME\`, chrooted,
so PWD is \`/\`): \`readme.txt\` ($(stat -c %s "$FIXTURES/home/readme.txt") bytes, testdata/fixtures/home/readme.txt),
\`data.bin\` (65536 bytes, sha256 $(gen_bytes 65536 42 | sha256sum | cut -d' ' -f1)),
\`pub/notes.txt\` ($(stat -c %s "$FIXTURES/home/pub/notes.txt") bytes). Uploaded: \`upload.txt\` ($(stat -c %s "$FIXTURES/client/upload.txt") bytes,
testdata/fixtures/client/upload.txt), \`upload.bin\` (20000 bytes, sha256 $(gen_bytes 20000 7 | sha256sum | cut -d' ' -f1)).
Servers: vsftpd $(dpkg-query -W -f '${Version}' vsftpd 2>/dev/null || echo '?') (configs in testdata/fixtures/vsftpd-*.conf, passive ports
$PASV_MIN-$PASV_MAX), pure-ftpd (passive ports $PURE_PASV_MIN-$PURE_PASV_MAX). Clients: tnftp, lftp, curl.

Things worth knowing when writing assertions: vsftpd sends each line of its multi-line
FEAT reply (211-Features: ... 211 End) in a separate TCP segment; lftp sends FEAT before
USER; on loopback a data segment carries up to 32768 bytes, so data.bin (65536 bytes)
travels in two segments; tnftp sends SIZE/MDTM around RETR and switches TYPE A/I; curl
sends PWD after login and, after "530 Login incorrect", closes without QUIT.

### Captures (one line each)

EOF
    for name in "${ALL_NAMES[@]}"; do
        [[ -f $PCAPS/$name.pcap ]] || continue
        case $name in
            vsftpd-active) echo "- \`vsftpd-active.pcap\`: vsftpd on 127.0.0.1:21, client tnftp (\`ftp -n -A\`, \`epsv4 off\`), ACTIVE mode: every data connection via PORT, opened by the server from port 20 to the client. USER/PASS login, LIST, RETR readme.txt, STOR upload.txt, PWD, CWD pub, LIST, QUIT (4 data connections)." ;;
            vsftpd-passive) echo "- \`vsftpd-passive.pcap\`: vsftpd on 127.0.0.1:21, client lftp, PASSIVE mode with PASV (227 replies, ports $PASV_MIN-$PASV_MAX). USER/PASS login, LIST, RETR data.bin (65536 bytes), STOR upload.bin (20000 bytes), QUIT (3 data connections)." ;;
            vsftpd-ipv6) echo "- \`vsftpd-ipv6.pcap\`: vsftpd on [::1]:21, client tnftp (\`ftp -6 -n\`), one IPv6 session: EPSV (229) for LIST and RETR readme.txt, then \`passive off\`: EPRT |2|::1|port| for STOR upload.txt and NLST pub (server connects from [::1]:20). USER/PASS login, QUIT (4 data connections)." ;;
            vsftpd-login-retry) echo "- \`vsftpd-login-retry.pcap\`: vsftpd on 127.0.0.1:21, client tnftp (\`ftp -n -p\`), one control connection: USER $FTP_USER / PASS $FTP_BADPASS -> 530 Login incorrect, then USER $FTP_USER / PASS $FTP_PASS -> 230, then LIST over EPSV, QUIT (1 data connection)." ;;
            vsftpd-port2121) echo "- \`vsftpd-port2121.pcap\`: vsftpd on 127.0.0.1:2121 (non-standard control port; decode with \`-d tcp.port==2121,ftp\`), client tnftp (\`ftp -n -p\`, \`epsv4 off\`), PASSIVE with PASV. USER/PASS login, LIST, RETR readme.txt, QUIT (2 data connections)." ;;
            pureftpd-passive) echo "- \`pureftpd-passive.pcap\`: pure-ftpd on 127.0.0.1:$PURE_PORT (\`-d tcp.port==$PURE_PORT,ftp\`), unix account login, client curl (two URLs, one reused connection), PASSIVE with EPSV (ports $PURE_PASV_MIN-$PURE_PASV_MAX). USER/PASS login, LIST /, RETR data.bin (65536 bytes), QUIT (2 data connections)." ;;
            vsftpd-rest-abort) echo "- \`vsftpd-rest-abort.pcap\`: vsftpd on 127.0.0.1:21 (\`async_abor_enable=YES\`, downloads throttled by \`local_max_rate=200000\`), client tnftp (\`ftp -n -p\`, \`epsv4 off\`, PASV). USER/PASS login, TYPE I; resumed download: \`reget data.bin\` with a local partial copy of $REST_OFFSET bytes -> SIZE, PASV, REST $REST_OFFSET (350 Restart position accepted), RETR data.bin (150 ... (65536 bytes), $((65536 - REST_OFFSET)) bytes on the wire, 226), MDTM; aborted download: SIZE big.bin (213 $BIG_SIZE; $BIG_SIZE pseudo-random bytes, LCG seed $BIG_SEED), PASV, RETR big.bin, 150; after $ABORT_AFTER bytes the script sends tnftp SIGINT, tnftp sends IAC IP IAC as TCP urgent data (one segment, decoded by tshark as a garbage FTP request) and then DM + \`ABOR\` (second segment); vsftpd shuts the data connection (FIN), tnftp drains it to EOF, vsftpd answers \`426 Failure writing network stream.\` then \`226 ABOR successful.\`; QUIT (2 data connections, the second one a proper prefix of big.bin)." ;;
            vsftpd-appe-stou) echo "- \`vsftpd-appe-stou.pcap\`: vsftpd on 127.0.0.1:21, client tnftp (\`ftp -n -p\`, \`epsv4 off\`, PASV). USER/PASS login, TYPE I, STOR upload.txt, APPE upload.txt (\`append\`: same 342 bytes appended, /upload.txt becomes 684 bytes), STOU upload.txt (\`sunique on\` + \`put\`; reply \`150 FILE: upload.txt.1\`), TYPE A, LIST, QUIT (4 data connections, three uploads of the same 342 bytes)." ;;
            vsftpd-fsops) echo "- \`vsftpd-fsops.pcap\`: vsftpd on 127.0.0.1:21 (\`chmod_enable=YES\`), client tnftp (\`ftp -n -p\`, \`epsv4 off\`, PASV). USER/PASS login, MKD newdir (257 \"/newdir\" created), CWD newdir, TYPE I, STOR upload.txt (342 bytes), RNFR upload.txt (350) / RNTO renamed.txt (250), SITE CHMOD 644 renamed.txt (200), DELE missing.txt (550 Delete operation failed.), DELE renamed.txt (250), CDUP (250), RMD newdir (250), QUIT (1 data connection)." ;;
            vsftpd-anonymous) echo "- \`vsftpd-anonymous.pcap\`: vsftpd on 127.0.0.1:21, anonymous only (\`anonymous_enable=YES\`, \`local_enable=NO\`, \`anon_root=$ANON_ROOT\`), client tnftp (\`ftp -n -p\`, \`epsv4 off\`, PASV). USER anonymous (331), PASS $ANON_PASS (230), LIST, TYPE I, SIZE/RETR/MDTM welcome.txt ($(stat -c %s "$FIXTURES/anon/welcome.txt") bytes), QUIT (2 data connections)." ;;
            vsftpd-ftps) echo "- \`vsftpd-ftps.pcap\`: vsftpd on 127.0.0.1:21 with explicit FTPS (\`ssl_enable=YES\`, \`force_local_logins_ssl=YES\`, \`force_local_data_ssl=YES\`, \`require_ssl_reuse=NO\`, fresh self-signed RSA-2048 certificate CN=localhost per recording; TLS 1.3), PASSIVE (ports $PASV_MIN-$PASV_MAX), two sessions one after the other. (1) curl \`--ssl-reqd -k\`: \`AUTH SSL\` -> \`234 Proceed with negotiation.\`, then TLS; inside TLS: USER/PASS, PBSZ 0, PROT P, PWD, EPSV, TYPE A, LIST /, EPSV, TYPE I, SIZE, RETR readme.txt, QUIT (2 TLS data connections). (2) lftp (\`ftp:ssl-force\`, \`ssl:verify-certificate no\`): FEAT in clear (lists AUTH TLS, PBSZ, PROT), \`AUTH TLS\` -> 234, then TLS; inside TLS: USER/PASS, PWD, PBSZ 0, PROT P, PASV, LIST, TYPE I, SIZE/MDTM, PASV, RETR data.bin (65536 bytes), QUIT (2 TLS data connections). The clear-text FTP ends at 234 on each control connection; tshark decodes lftp's control connection as TLS after AUTH TLS but shows curl's (after AUTH SSL) as garbage FTP; decode data connections with \`-d tcp.port==$PASV_MIN-$PASV_MAX,tls\`. Either client may send its TLS close_notify after vsftpd has answered 221 and closed, and vsftpd's kernel then answers it with a RST, so a control connection may end with server FIN + server RST instead of two FINs (timing-dependent; see RST segments below)." ;;
            vsftpd-space-password) echo "- \`vsftpd-space-password.pcap\`: vsftpd on 127.0.0.1:21, client curl (\`ftp://$SPACE_USER:${SPACE_PASS// /%20}@127.0.0.1/\`, URL-decoded by curl), EPSV. USER $SPACE_USER (331), \`PASS $SPACE_PASS\` (the argument contains a space; 230), PWD, EPSV, TYPE A, LIST, QUIT (1 data connection)." ;;
            vsftpd-early-commands) echo "- \`vsftpd-early-commands.pcap\`: vsftpd on 127.0.0.1:21, a scripted client (\`scripts/ftp-script-client.py early\`) that sends USER, PASS, SYST, PWD and QUIT, each in a segment of its own, right after connecting: the first command is in the capture before vsftpd's 220, which then answers nothing; 331, 230, 215, 257 and 221 follow in order (no data connection)." ;;
            vsftpd-abor-complete) echo "- \`vsftpd-abor-complete.pcap\`: vsftpd on 127.0.0.1:21, a scripted client (\`scripts/ftp-script-client.py abor-after-eof\`): USER/PASS, TYPE I, SIZE data.bin (213 65536), PASV, RETR data.bin; once the 65536 bytes are in, the client sends ABOR before the 226 arrives; vsftpd answers \`226 Transfer complete.\` (to RETR) then \`225 No transfer to ABOR.\`; QUIT (1 data connection, the whole file)." ;;
            vsftpd-abor-idle) echo "- \`vsftpd-abor-idle.pcap\`: vsftpd on 127.0.0.1:21 (\`async_abor_enable=YES\`), a scripted client (\`scripts/ftp-script-client.py abor-after-226\`): USER/PASS, TYPE I, SIZE data.bin (213 65536), PASV, RETR data.bin, the whole file and its \`226\`; then, as Kaspersky's updater does after every download, IAC IP, the Synch (IAC as TCP urgent data, then DM) and \`ABOR\` with no transfer left to abort; vsftpd answers $(abor_reply vsftpd-abor-idle); NOOP, QUIT (1 data connection, the whole file)." ;;
            vsftpd-pasv-reuse) echo "- \`vsftpd-pasv-reuse.pcap\`: vsftpd on 127.0.0.1:21, a scripted client (\`scripts/ftp-script-client.py pasv-reuse\`): USER/PASS, TYPE I, one PASV, RETR no-such-data.bin (\`550 Failed to open file.\`), then RETR data.bin over the data connection that PASV announced (vsftpd kept listening: the 550 did not use it up), QUIT (1 data connection)." ;;
            vsftpd-snaplen) echo "- \`vsftpd-snaplen.pcap\`: as vsftpd-passive (lftp, PASV) but recorded with \`tcpdump -s $SNAPLEN\`: LIST, RETR data.bin (65536 bytes), QUIT. Frames keep at most $SNAPLEN bytes (134 of TCP payload): the data segments are cut, the last one too (the FIN after it proves its length); commands and replies are whole." ;;
            vsftpd-bruteforce) echo "- \`vsftpd-bruteforce.pcap\`: vsftpd on 127.0.0.1:21 (\`delay_failed_login=0\`), client curl, $((${#BRUTE_PASSWORDS[@]} + 1)) control connections in a burst from 127.0.0.1: ${#BRUTE_PASSWORDS[@]} times USER $FTP_USER / PASS <wrong> -> \`530 Login incorrect.\` (passwords $(printf '%s ' "${BRUTE_PASSWORDS[@]}")in that order; curl closes each of these connections right after the 530, without QUIT), then USER $FTP_USER / PASS $FTP_PASS -> 230, PWD, EPSV, TYPE A, LIST, QUIT (1 data connection)." ;;
        esac
    done
    echo
    echo "### Facts per capture (extracted with tshark when the captures were recorded)"
    for name in "${ALL_NAMES[@]}"; do
        [[ -f $PCAPS/$name.pcap ]] || continue
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

if [[ ${#RECORDED[@]} -gt 0 ]]; then
    log "wrote: $(printf '%s.pcap ' "${RECORDED[@]}")README.md in $PCAPS"
else
    log "wrote: README.md in $PCAPS (nothing recorded)"
fi
