#!/usr/bin/env bash
# The README's pictures of the dashboard, from the release `gan`: trains the
# main job with evaluation every 500 steps (unless RUN already holds a
# run), draws its curves with `gan plot`, screenshots its dashboard and the
# lab (after 1,500 G updates on ring8) in headless chromium
# (Scripts/screenshot.py: once the page's scripts have drawn).
#
#   Scripts/dashboard_images.sh [RUN]      (default RUN: runs/dcgan-quick-eval)
set -euo pipefail
cd "$(dirname "$0")/.."
gan=.build/release/gan
run="${1:-runs/dcgan-quick-eval}"
port=18731
[ -x "$gan" ] || swift build -c release --product gan
[ -f "$run/checkpoint.safetensors" ] || "$gan" train --eval-every 500 --run-dir "$run"

"$gan" plot --run "$run" --smoothing 0.6 --columns 3 --out docs/images/curves-dcgan-quick.png

shoot() { # URL OUT HEIGHT UNTIL
    python3 Scripts/screenshot.py "$1" "$2" --width 1280 --height "$3" --until "$4"
}

"$gan" serve --run "$run" --port "$port" & server=$!
trap 'kill -INT $server 2> /dev/null || true' EXIT
sleep 2
shoot "http://127.0.0.1:$port/" docs/images/dashboard.png 2300 \
    "document.querySelectorAll('svg.chart').length >= 7 && document.getElementById('sample-latest').naturalWidth > 0"
kill -INT "$server"; wait "$server" || true

"$gan" lab --data ring8 --port "$port" & server=$!
sleep 2
curl -s -X POST "http://127.0.0.1:$port/api/lab/play" > /dev/null
until [ "$(curl -s "http://127.0.0.1:$port/api/lab" | python3 -c 'import json,sys; print(json.load(sys.stdin)["generatorUpdates"] >= 1500)')" = True ]; do sleep 1; done
curl -s -X POST "http://127.0.0.1:$port/api/lab/pause" > /dev/null
shoot "http://127.0.0.1:$port/" docs/images/lab.png 760 "Number(document.body.dataset.generatorUpdates) >= 1500"
kill -INT "$server"; wait "$server" || true
trap - EXIT
echo "wrote docs/images/curves-dcgan-quick.png, docs/images/dashboard.png, docs/images/lab.png"
