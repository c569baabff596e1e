#!/usr/bin/env bash
# Dark-appearance charts for the screenshot build (docs/charts has the light ones as
# SVG, the dark ones only as PNG). Same simulated Macs as docs/charts/generate.sh.
#   bash ui/scripts/mock-charts.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
out="$here/../src/backend/mock-charts"
cargo build -q -p earshot-cli --manifest-path "$repo/Cargo.toml"
earshot="$repo/target/debug/earshot"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"
"$earshot" sim init "$work/build" --days 7 --profile build-server >/dev/null
cp -r "$work/build" "$work/tight"
sed -i '/^expire-after/d' "$work/tight/etc/security/audit_control"
sed -i 's/"other_used_bytes": [0-9]*/"other_used_bytes": 184800000000/' "$work/tight/simulated-mac.json"
"$earshot" chart rates --root "$work/build" --appearance dark --no-cache --out "$out/build-server-rates-24h-dark.svg" >/dev/null
"$earshot" chart forecast --root "$work/tight" --appearance dark --no-cache --out "$out/build-server-no-expiry-forecast-dark.svg" >/dev/null
echo "written to $out"
