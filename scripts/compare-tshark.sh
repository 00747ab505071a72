#!/usr/bin/env bash
# compare-tshark.sh: differential check of ftptrace against tshark.
#
# Usage: scripts/compare-tshark.sh [PCAP_DIR_OR_FILE...]
#   default: ../shared/pcaps relative to the repository root.
#
# For every capture, and every FTP control connection (client ip:port <->
# server ip:port), prints the (verb, argument) list and the reply codes as
# ftptrace reports them and as tshark reports them, then AGREE or the
# differences.  It also compares the byte count of every ftptrace transfer with
# the TCP payload tshark sees on that data connection.
#
# Environment: FTPTRACE=path to a built binary (default: build one into /tmp),
#              TIMEOUT=seconds per ftptrace run (default 60).
#
# Known tshark blind spots (differences that are NOT ftptrace bugs):
#   - tshark does not split pipelined commands/replies (several lines in one
#     segment): it reports only the first line of the segment;
#   - tshark does not reassemble a command split over several segments;
#   - tshark reports one code per line of a multi-line reply (211-... 211 End),
#     ftptrace one per reply: the script retries the reply comparison with runs
#     of identical codes collapsed and says so;
#   - tshark decodes FTP only on port 21 unless told (-d tcp.port==P,ftp): the
#     script adds -d for every non-21 control port ftptrace found.
set -u

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if [ $# -eq 0 ]; then
  set -- "$ROOT/../shared/pcaps"
fi

if [ ! -e "$1" ]; then
  echo "compare-tshark: $1 not found; nothing to compare (skipped)"
  exit 0
fi
for tool in tshark python3; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "compare-tshark: $tool not installed; skipped"
    exit 0
  fi
done

TMP=$(mktemp -d /tmp/compare-tshark.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

FTPTRACE=${FTPTRACE:-}
if [ -z "$FTPTRACE" ]; then
  FTPTRACE="$TMP/ftptrace"
  if ! (cd "$ROOT" && go build -o "$FTPTRACE" ./cmd/ftptrace); then
    echo "compare-tshark: go build failed" >&2
    exit 1
  fi
fi
TIMEOUT=${TIMEOUT:-60}

files=()
for arg in "$@"; do
  if [ -d "$arg" ]; then
    while IFS= read -r f; do files+=("$f"); done < <(
      # Every capture of the folder, whatever the case of its name (KasperskyPackets.CAP) or how it ends when gzip'd (attack-trace.pcap_.gz), and iSeries traces (.txt).
      find "$arg" -maxdepth 1 -type f \( -iname '*.pcap' -o -iname '*.pcapng' -o -iname '*.cap' -o -iname '*.gz' -o -name '*.txt' \) | sort)
  elif [ -f "$arg" ]; then
    files+=("$arg")
  else
    echo "compare-tshark: $arg not found (skipped)"
  fi
done
if [ ${#files[@]} -eq 0 ]; then
  echo "compare-tshark: no capture found; skipped"
  exit 0
fi

cat > "$TMP/compare.py" <<'PY'
import json, os, sys, difflib, collections

name, jsonf, errf, rc, ftpf, tcpf, decode = sys.argv[1:8]
AGG = "\x1f"

# COMPARE_RECORD: a file to which one line per disagreement is appended,
# "capture<TAB>connection<TAB>difference" (scripts/corpus.sh reads it), and
# "capture<TAB>*<TAB>compared" once per capture.
RECORD = open(os.environ["COMPARE_RECORD"], "a", encoding="utf-8") if os.environ.get("COMPARE_RECORD") else None

def record(where, what):
    if RECORD:
        # binary bytes (TLS, Telnet IAC) as "?", so the list stays readable text
        what = "".join(c if " " <= c <= "~" else "?" for c in " ".join(what.split()))
        RECORD.write("%s\t%s\t%s\n" % (name, where, what))

record("*", "compared")

def ep(ip4, ip6, port):
    # IPv6 tunnelled in IPv4 (6in4, protocol 41) has both: TCP runs over
    # the inner IPv6 header, as ftptrace names it
    if ip6:
        return "[%s]:%s" % (ip6.split(",")[-1], port)
    return "%s:%s" % (ip4.split(",")[-1], port)

# ---------------------------------------------------------------- ftptrace
sessions, steps, transfers, creds, summary, bad = [], collections.defaultdict(list), [], [], None, 0
for line in open(jsonf, encoding="utf-8", errors="replace"):
    line = line.strip()
    if not line:
        continue
    try:
        r = json.loads(line)
    except ValueError:
        bad += 1
        continue
    t = r.get("type")
    if t == "session":
        sessions.append(r)
    elif t == "step":
        steps[r.get("session")].append(r)
    elif t == "transfer":
        transfers.append(r)
    elif t == "credential":
        creds.append(r)
    elif t == "summary":
        summary = r

err = open(errf, encoding="utf-8", errors="replace").read().strip()
print("=" * 78)
print("%s  (ftptrace exit %s, %d sessions, %d transfers%s)" % (
    name, rc, len(sessions), len(transfers), ", tshark " + decode if decode else ""))
if rc not in ("0",):
    print("  !! ftptrace exit status %s%s" % (rc, " (timeout)" if rc == "124" else ""))
    record("-", "ftptrace exit status %s" % rc)
if err:
    for l in err.splitlines()[:10]:
        print("  !! ftptrace stderr: " + l)
if bad:
    print("  !! %d lines of ftptrace output are not JSON" % bad)
if summary is None:
    print("  !! no summary record")
elif summary.get("warnings"):
    for w in summary["warnings"]:
        print("  !! ftptrace warning: %s" % w)

# A data connection whose control connection is not in the capture is a
# session of its own in ftptrace (its client and server are the data
# connection's ends): no control connection to compare, its transfer is.
own = {(t.get("session"), frozenset((t.get("orig"), t.get("resp")))) for t in transfers}
sessions = [s for s in sessions if (s.get("session"), frozenset((s["client"], s["server"]))) not in own]

ft = collections.OrderedDict()   # (client, server) -> list of sessions
for s in sessions:
    ft.setdefault((s["client"], s["server"]), []).append(s)

def ft_lists(s):
    cmds, codes = [], []
    for st in sorted(steps.get(s["session"], []), key=lambda x: x.get("n", 0)):
        if st.get("conn") != "control":
            continue
        if st.get("kind") == "command":
            cmds.append((st.get("command") or "", st.get("arg") or ""))
        elif st.get("kind") == "reply" and st.get("reply_code") is not None:
            codes.append(str(st["reply_code"]))
    return cmds, codes

# ---------------------------------------------------------------- tshark FTP
streams = collections.OrderedDict()
for line in open(ftpf, encoding="utf-8", errors="replace"):
    f = line.rstrip("\n").split("\t")
    if len(f) < 10:
        continue
    stream, s4, s6, sp, d4, d6, dp, cmd, arg, code = f[:10]
    src, dst = ep(s4, s6, sp), ep(d4, d6, dp)
    st = streams.setdefault(stream, {"cmds": [], "codes": [], "client": None, "server": None, "eps": (src, dst)})
    if cmd:
        cl = cmd.split(AGG)
        al = arg.split(AGG) if arg else []
        for i, c in enumerate(cl):
            # FTP verbs are case-insensitive; ftptrace prints them upper-cased
            st["cmds"].append((c.upper(), al[i] if i < len(al) else ""))
        st["client"], st["server"] = src, dst
    if code:
        st["codes"].extend(code.split(AGG))
        if st["server"] is None:
            st["client"], st["server"] = dst, src

ts = collections.OrderedDict()
for sid, st in streams.items():
    if st["client"] is None:
        a, b = st["eps"]
        st["client"], st["server"] = a, b
    ts.setdefault((st["client"], st["server"]), []).append(st)

# ---------------------------------------------------------------- TCP bytes
conns = collections.defaultdict(list)   # frozenset(a,b) -> list of conns
cdata = collections.OrderedDict()
for line in open(tcpf, encoding="utf-8", errors="replace"):
    f = line.rstrip("\n").split("\t")
    if len(f) < 10:
        continue
    stream, s4, s6, sp, d4, d6, dp, seq, ln, retr = f[:10]
    src, dst = ep(s4, s6, sp), ep(d4, d6, dp)
    c = cdata.setdefault(stream, {"eps": frozenset((src, dst)), "dir": {}})
    d = c["dir"].setdefault(src, {"iv": [], "retr": 0, "plain": 0})
    try:
        n = int(ln or 0)
        sq = int(seq or 0)
    except ValueError:
        continue
    if n <= 0:
        continue
    if retr:
        d["retr"] += n
    else:
        d["plain"] += n
    d["iv"].append((sq, sq + n))

def cover(iv):
    """unique payload bytes (union of [seq, seq+len) intervals), lowest, highest"""
    tot, cur = 0, None
    for a, b in sorted(iv):
        if cur is None or a > cur[1]:
            if cur:
                tot += cur[1] - cur[0]
            cur = [a, b]
        else:
            cur[1] = max(cur[1], b)
    if cur:
        tot += cur[1] - cur[0]
    lo = min(a for a, b in iv) if iv else 0
    hi = max(b for a, b in iv) if iv else 0
    return tot, hi - lo

for c in cdata.values():
    for d in c["dir"].values():
        d["sum"], d["span"] = cover(d["iv"])
for sid, c in cdata.items():
    conns[c["eps"]].append(c)

def diff(a, b, fmt):
    out = []
    sm = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op == "equal":
            continue
        out.append("%s ftptrace[%d:%d]=%s tshark[%d:%d]=%s" % (
            op, i1, i2, fmt(a[i1:i2]), j1, j2, fmt(b[j1:j2])))
    return out

def fmt_cmds(l):
    return "[" + "; ".join((c + (" " + x if x else "")) for c, x in l)[:300] + "]"

def fmt_codes(l):
    return "[" + " ".join(l)[:300] + "]"

def collapse(l):
    return [x for i, x in enumerate(l) if i == 0 or l[i - 1] != x]

keys = list(ft.keys()) + [k for k in ts.keys() if k not in ft]
total_diff = 0
for key in keys:
    fl, tl = ft.get(key, []), ts.get(key, [])
    for i in range(max(len(fl), len(tl))):
        s = fl[i] if i < len(fl) else None
        t = tl[i] if i < len(tl) else None
        hdr = "%s <-> %s" % key
        if s:
            hdr += "  [session %s user=%s login=%s commands=%s transfers=%s detected_by=%s]" % (
                s["session"], s.get("user") or "-", s.get("login") or "-", s.get("commands"),
                s.get("transfers"), s.get("detected_by"))
        print("  --- control " + hdr)
        fc, fr = ft_lists(s) if s else ([], [])
        tc, tr = (t["cmds"], t["codes"]) if t else ([], [])
        for lab, seq in (("ftptrace cmds", fc), ("tshark cmds", tc)):
            txt = " | ".join(c + (" " + a if a else "") for c, a in seq)
            print("    %-14s(%3d): %s" % (lab, len(seq), txt[:700] + (" ..." if len(txt) > 700 else "")))
        for lab, seq in (("ftptrace codes", fr), ("tshark codes", tr)):
            txt = " ".join(seq)
            print("    %-14s(%3d): %s" % (lab, len(seq), txt[:700] + (" ..." if len(txt) > 700 else "")))
        problems = []
        if not s:
            problems.append("control connection seen by tshark only")
        if not t:
            if s and not fc and not fr:
                print("    (no FTP payload on this connection: nothing for tshark to decode)")
            else:
                problems.append("control connection seen by ftptrace only (tshark decodes no FTP there)")
        if s and t:
            d = diff(fc, tc, fmt_cmds)
            problems += ["commands: " + x for x in d]
            if fr != tr:
                if collapse(fr) == collapse(tr):
                    print("    (reply codes agree once runs of identical codes are collapsed: multi-line replies)")
                else:
                    problems += ["replies: " + x for x in diff(fr, tr, fmt_codes)]
        if problems:
            total_diff += 1
            for p in problems:
                record(key[0] + " <-> " + key[1] + (" #%d" % (i + 1) if i else ""), p)
            print("    DIFFER:")
            for p in problems[:40]:
                print("      - " + p)
            if len(problems) > 40:
                print("      - ... %d more" % (len(problems) - 40))
        else:
            print("    AGREE")

# ---------------------------------------------------------------- transfers
if transfers:
    print("  --- transfers (ftptrace bytes vs TCP payload seen by tshark on the data connection)")
for tr in transfers:
    lab = "#%s s%s %s %s %s %s<->%s" % (tr.get("transfer"), tr.get("session"), tr.get("command"), tr.get("arg") or "",
                                       tr.get("mode"), tr.get("orig") or "?", tr.get("resp") or "?")
    fb = tr.get("bytes")
    extra = "reply=%s complete=%s" % (tr.get("reply_code"), tr.get("complete"))
    cl = conns.get(frozenset((tr.get("orig"), tr.get("resp"))), [])
    if not tr.get("orig") or not tr.get("resp") or not cl:
        print("    %s ftptrace=%s %s | no data connection in tshark" % (lab, fb, extra))
        continue
    # pick the connection with the most payload when the 4-tuple repeats
    best = None
    for c in cl:
        tot = sum(d["sum"] for d in c["dir"].values())
        if best is None or tot > best[0]:
            best = (tot, c)
    c = best[1]
    parts = []
    for side, d in c["dir"].items():
        if d["sum"] == 0 and d["retr"] == 0:
            continue
        span = d["span"]
        parts.append("%s sent %d unique payload bytes (%d not flagged retransmission, seq span %d%s)" % (side, d["sum"], d["plain"], span,
                                                 ", +%d retransmitted" % d["retr"] if d["retr"] else ""))
    # ftptrace counts unique payload bytes of the data direction
    # (or, when the sequence space wraps, all payload not flagged as retransmission)
    ok = [d["sum"] for d in c["dir"].values()] + [d["plain"] for d in c["dir"].values()]
    verdict = "AGREE" if fb in (ok or [0]) else "DIFFER"
    if verdict == "DIFFER":
        total_diff += 1
        record("transfer " + lab, "bytes: ftptrace=%s tshark: %s" % (fb, "; ".join(parts) or "no payload"))
    print("    %s ftptrace=%s %s | tshark: %s -> %s" % (lab, fb, extra, "; ".join(parts) or "no payload", verdict))

print("  RESULT: %s" % ("AGREE" if total_diff == 0 else "%d difference(s)" % total_diff))
PY

overall=0
for f in "${files[@]}"; do
  b=$(basename "$f")
  timeout "$TIMEOUT" "$FTPTRACE" --json "$f" >"$TMP/ft.json" 2>"$TMP/ft.err"
  rc=$?
  ports=$(python3 -c '
import json,sys
ss, own=[], set()
for l in open(sys.argv[1], errors="replace"):
    try: r=json.loads(l)
    except ValueError: continue
    if r.get("type")=="session": ss.append(r)
    if r.get("type")=="transfer": own.add((r.get("session"), frozenset((r.get("orig"), r.get("resp")))))
# not the port of a data connection without its control connection
ps={r.get("server_port") for r in ss if (r.get("session"), frozenset((r.get("client"), r.get("server")))) not in own}
print(" ".join(str(p) for p in sorted(p for p in ps if p and p!=21)))' "$TMP/ft.json")
  dargs=()
  decode=""
  for p in $ports; do
    dargs+=(-d "tcp.port==$p,ftp")
    decode="$decode -d tcp.port==$p,ftp"
  done
  tshark -n -r "$f" "${dargs[@]}" -Y ftp -T fields -E occurrence=a -E aggregator=$'\x1f' \
    -e tcp.stream -e ip.src -e ipv6.src -e tcp.srcport -e ip.dst -e ipv6.dst -e tcp.dstport \
    -e ftp.request.command -e ftp.request.arg -e ftp.response.code >"$TMP/ftp.tsv" 2>"$TMP/tshark.err"
  tshark -n -r "$f" -Y tcp -T fields -E occurrence=f \
    -e tcp.stream -e ip.src -e ipv6.src -e tcp.srcport -e ip.dst -e ipv6.dst -e tcp.dstport \
    -e tcp.seq -e tcp.len -e tcp.analysis.retransmission >"$TMP/tcp.tsv" 2>>"$TMP/tshark.err"
  python3 "$TMP/compare.py" "$b" "$TMP/ft.json" "$TMP/ft.err" "$rc" "$TMP/ftp.tsv" "$TMP/tcp.tsv" "${decode# }" \
    | tee "$TMP/out.txt"
  grep -v -e 'Running as user "root"' -e 'This could be dangerous' "$TMP/tshark.err" | sed 's/^/  tshark stderr: /' | head -5
  if ! grep -q 'RESULT: AGREE' "$TMP/out.txt"; then overall=1; fi
done
if [ $overall -eq 0 ]; then
  echo "ALL CAPTURES AGREE"
else
  echo "SOME CAPTURES DIFFER (see DIFFER lines; check each against the tshark blind spots listed in this script)"
fi
exit 0
