#!/usr/bin/env bash
# End-to-end check of the HTML report in headless Chromium: build ftptrace,
# write the report of the article's capture (one session), of a server's day
# of 30 sessions (and in Chinese), of one session with 50 data connections
# and over 500 steps, and of a day of 1000 sessions (the synthetic ones are
# written by ftpsynth -large, never kept in the repository); open each page
# with the driver in scripts/e2e (chromedp, the DevTools protocol) and check
# that it opens within MAX_LOAD, that its screenshots are not blank, that
# every index link lands on a shown element (a session kept as text drawn
# when its link is followed), that a diagram scrolled to its end keeps its
# lane headers in view and its text at full size, and that the console
# shows no error.
#
# Needs chromium (and a CJK font for the Chinese page). As root both are
# installed when missing (apt-get); otherwise the script skips with a
# message, unless CI=true, where a missing browser fails.
# SHOTS=DIR keeps the screenshots (default: a temporary directory).
set -euo pipefail
cd "$(dirname "$0")/.."

GO=${GO:-go}
MAX_LOAD=${MAX_LOAD:-10s}

browser=""
find_browser() {
  for b in chromium chromium-browser; do
    if command -v "$b" >/dev/null; then browser=$(command -v "$b"); return 0; fi
  done
  return 1
}
install() {
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq "$@" >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq "$@" >/dev/null; }
}
if ! find_browser; then
  if [ "$(id -u)" = 0 ]; then
    echo "e2e: installing chromium (apt-get install chromium)"
    install chromium
    find_browser || { echo "e2e: chromium still not found after apt-get install" >&2; exit 1; }
  elif [ "${CI:-}" = true ]; then
    echo "e2e: chromium is missing and CI=true: run as root so it can be installed" >&2
    exit 1
  else
    echo "e2e: SKIP: chromium is not installed and this is not root (apt-get install chromium, or run as root)"
    exit 0
  fi
fi
# The Chinese page needs a font with the CJK ideographs, or it shows boxes.
if ! fc-list 2>/dev/null | grep -qi "wenquanyi\|noto sans cjk"; then
  if [ "$(id -u)" = 0 ]; then
    echo "e2e: installing a CJK font (apt-get install fonts-wqy-zenhei)"
    install fonts-wqy-zenhei
  else
    echo "e2e: note: no CJK font (apt-get install fonts-wqy-zenhei): the Chinese screenshot will show boxes"
  fi
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
shots=${SHOTS:-$work/shots}
mkdir -p "$shots"

$GO build -o "$work/ftptrace" ./cmd/ftptrace
$GO build -o "$work/ftpsynth" ./tools/ftpsynth
(cd scripts/e2e && $GO build -o "$work/e2e" .)

"$work/ftptrace" report testdata/pcaps/article-active.pcap -o "$work/one.html"
for name in sessions30 transfers50 sessions1000; do
  "$work/ftpsynth" -large "$name" -o "$work/$name.pcap"
  "$work/ftptrace" report "$work/$name.pcap" -o "$work/$name.html"
done
"$work/ftptrace" --lang zh report "$work/sessions30.pcap" -o "$work/sessions30-zh.html"
for f in "$work"/*.html; do echo "e2e: $(basename "$f"): $(wc -c <"$f") bytes"; done

# What the pages must say, whatever the browser does with them.
grep -qF "<title>ftptrace report: article-active.pcap</title>" "$work/one.html"
grep -qF "PASS 123456 (clear text!)" "$work/one.html"
grep -qF '<html lang="zh">' "$work/sessions30-zh.html"

"$work/e2e" -chromium "$browser" -shots "$shots" -max-load "$MAX_LOAD" \
  one="$work/one.html" sessions30="$work/sessions30.html" sessions30-zh="$work/sessions30-zh.html" \
  transfers50="$work/transfers50.html" sessions1000="$work/sessions1000.html"
if [ -n "${SHOTS:-}" ]; then echo "e2e: OK (screenshots in $shots)"; else echo "e2e: OK"; fi
