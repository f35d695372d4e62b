#!/bin/sh
# Renders the PWA icons in ../icons from the SVGs here with headless
# Chromium (no image tools needed). Run after editing an SVG; the PNGs are
# committed, so builds never need this.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out="$here/../icons"
chromium=${CHROMIUM:-chromium}
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT

render() { # svg size png
    page="$profile/page.html"
    printf '<html><body style="margin:0"><img src="file://%s" width="%s" height="%s"></body></html>' \
        "$here/$1" "$2" "$2" > "$page"
    "$chromium" --headless --no-sandbox --disable-gpu --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$profile/chrome" --hide-scrollbars \
        --default-background-color=00000000 --window-size="$2,$2" \
        --screenshot="$out/$3" "file://$page" 2>/dev/null
}

render icon.svg 192 icon-192.png
render icon.svg 512 icon-512.png
render icon-maskable.svg 192 maskable-192.png
render icon-maskable.svg 512 maskable-512.png
