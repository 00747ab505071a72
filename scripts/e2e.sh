#!/usr/bin/env bash
# End-to-end check of the HTML report: build ftptrace, write the report of the
# article's capture, open it in headless Chromium, and check that the page has
# the expected title and that its screenshot is not blank.
#
# Needs chromium. As root it is installed when missing (apt-get); otherwise the
# script skips with a message, unless CI=true, where a missing browser fails.
# SCREENSHOT=path keeps the screenshot (default: a temporary directory).
set -euo pipefail
cd "$(dirname "$0")/.."

GO=${GO:-go}
CAPTURE=testdata/pcaps/article-active.pcap
TITLE="<title>ftptrace report: article-active.pcap</title>"
MIN_COLORS=${MIN_COLORS:-16}

browser=""
find_browser() {
  for b in chromium chromium-browser; do
    if command -v "$b" >/dev/null; then browser=$b; return 0; fi
  done
  return 1
}
if ! find_browser; then
  if [ "$(id -u)" = 0 ]; then
    echo "e2e: installing chromium (apt-get install chromium)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq chromium >/dev/null
    find_browser || { echo "e2e: chromium still not found after apt-get install" >&2; exit 1; }
  elif [ "${CI:-}" = true ]; then
    echo "e2e: chromium is missing and CI=true: run as root so it can be installed" >&2
    exit 1
  else
    echo "e2e: SKIP: chromium is not installed and this is not root (apt-get install chromium, or run as root)"
    exit 0
  fi
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
shot=${SCREENSHOT:-$work/report.png}

$GO build -o "$work/ftptrace" ./cmd/ftptrace
"$work/ftptrace" ladder --html "$CAPTURE" -o "$work/report.html"
echo "e2e: wrote the HTML report ($(wc -c <"$work/report.html") bytes)"

# Every flag that would make the browser reach the network is off: the page
# must stand alone.
chrome() {
  timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$(mktemp -d -p "$work")" "$@" 2>"$work/chromium.log"
}

chrome --screenshot="$shot" --window-size=1280,2000 "file://$work/report.html" >/dev/null || {
  cat "$work/chromium.log" >&2; echo "e2e: chromium failed to take the screenshot" >&2; exit 1; }
[ -s "$shot" ] || { echo "e2e: no screenshot written" >&2; exit 1; }

chrome --dump-dom "file://$work/report.html" >"$work/dom.html" || {
  cat "$work/chromium.log" >&2; echo "e2e: chromium failed to dump the DOM" >&2; exit 1; }
if ! grep -qF "$TITLE" "$work/dom.html"; then
  echo "e2e: the rendered page lacks $TITLE" >&2
  exit 1
fi
for want in "<svg" "PASS 123456 (clear text!)" "3-way handshake" "4-way teardown"; do
  grep -qF "$want" "$work/dom.html" || { echo "e2e: the rendered page lacks $want" >&2; exit 1; }
done

# A blank page has one or two colours; the report has text, bands and arrows
# in many. Go's image/png does the counting.
mkdir -p "$work/pngcheck"
cat >"$work/pngcheck/main.go" <<'EOF'
package main

import (
	"fmt"
	"image/png"
	"os"
	"strconv"
)

func main() {
	f, err := os.Open(os.Args[1])
	if err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	img, err := png.Decode(f)
	if err != nil {
		fmt.Println("decode:", err)
		os.Exit(1)
	}
	min, _ := strconv.Atoi(os.Args[2])
	colors := map[[4]uint32]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, a := img.At(x, y).RGBA()
			colors[[4]uint32{r, g, bl, a}] = true
		}
	}
	fmt.Printf("e2e: screenshot %dx%d, %d distinct colours\n", b.Dx(), b.Dy(), len(colors))
	if len(colors) < min {
		fmt.Printf("e2e: the screenshot looks blank (fewer than %d colours)\n", min)
		os.Exit(1)
	}
}
EOF
(cd "$work/pngcheck" && GO111MODULE=off $GO run main.go "$shot" "$MIN_COLORS")
if [ -n "${SCREENSHOT:-}" ]; then echo "e2e: OK (screenshot kept at $shot)"; else echo "e2e: OK"; fi
