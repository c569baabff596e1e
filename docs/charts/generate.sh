#!/usr/bin/env bash
# Regenerates the example charts in this folder from simulated Macs with a week of
# trails (see docs/simulated-mac.md). Run from anywhere: bash docs/charts/generate.sh
# The trails end "now", so dates on the charts change from run to run.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
cargo build -q -p earshot-cli -p earshot-helper --manifest-path "$repo/Cargo.toml"
target="${CARGO_TARGET_DIR:-$repo/target}"
earshot="$target/debug/earshot"
helper="$target/debug/earshot-helper"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# A laptop as Apple ships it (flags lo,aa; filesz 2M; expire-after 10M).
"$earshot" sim init "$work/laptop" --days 7 --profile laptop >/dev/null
# A build server with the CIS/mSCP flags (lo,aa,ad,fd,fm,-all; expire-after 60d OR 5G).
"$earshot" sim init "$work/build" --days 7 --profile build-server >/dev/null

# What-if: the same build server without expire-after, on a volume with only about
# 1.6 GiB left above minfree — the forecast then meets minfree within two weeks.
cp -r "$work/build" "$work/tight"
sed -i '/^expire-after/d' "$work/tight/etc/security/audit_control"
sed -i 's/"other_used_bytes": [0-9]*/"other_used_bytes": 184800000000/' "$work/tight/simulated-mac.json"

chart() { "$earshot" chart "$@" --no-cache >/dev/null; }
for ext in svg png; do
  chart rates --root "$work/laptop" --out "$here/laptop-rates-24h.$ext"
  chart forecast --root "$work/laptop" --out "$here/laptop-forecast.$ext"
  chart rates --root "$work/build" --out "$here/build-server-rates-24h.$ext"
  chart rates --root "$work/build" --window 1h --out "$here/build-server-rates-1h.$ext"
  chart forecast --root "$work/build" --out "$here/build-server-forecast.$ext"
  chart forecast --root "$work/tight" --out "$here/build-server-no-expiry-forecast.$ext"
done
# Dark mode, as the dashboard draws it when macOS is dark.
chart rates --root "$work/build" --appearance dark --out "$here/build-server-rates-24h-dark.png"
chart forecast --root "$work/tight" --appearance dark --out "$here/build-server-no-expiry-forecast-dark.png"
# Retina-size copy: text and lines scale with the canvas.
chart rates --root "$work/build" --out "$here/build-server-rates-24h@2x.png" --width 1920 --height 960
chart sparkline --root "$work/build" --out "$here/build-server-sparkline-1h.svg"
chart sparkline --root "$work/laptop" --window 24h --out "$here/laptop-sparkline-24h.svg"

# A soaking step, as the wizard charts it (the helper keeps the soak): a laptop takes
# the retention step, goes on to `+ad` knowingly, and 30 simulated hours pass; then a
# second laptop, after a trial of ad, gets three times busier during the soak.
soak_chart() { # DIR NAME [extra setup commands run after the step]
  local dir="$1" name="$2"
  "$helper" --root "$dir" 2>/dev/null &
  local pid=$!
  for _ in $(seq 100); do [ -S "$dir/run/earshot/helper.sock" ] && break; sleep 0.1; done
  shift 2
  "$@"
  sleep 3 # the helper measures the step on its one-second beat
  for ext in svg png; do chart soak --root "$dir" --out "$here/$name.$ext"; done
  kill "$pid"; wait "$pid" 2>/dev/null || true
}
as_predicted() {
  "$earshot" --root "$work/soak1" apply --plan >/dev/null
  "$earshot" --root "$work/soak1" apply --plan --skip-soak >/dev/null
  "$earshot" sim advance "$work/soak1" 30h >/dev/null
}
over_budget() {
  "$earshot" --root "$work/soak2" measure --classes ad --for 30m >/dev/null
  "$earshot" --root "$work/soak2" apply --plan --soak-days 3 >/dev/null
  "$earshot" sim relogin "$work/soak2" >/dev/null
  "$earshot" sim workload "$work/soak2" 3 >/dev/null
  "$earshot" sim advance "$work/soak2" 1d >/dev/null
}
export XDG_CONFIG_HOME="$work/config" XDG_CACHE_HOME="$work/cache"
"$earshot" sim init "$work/soak1" --days 3 --profile laptop >/dev/null
"$earshot" sim init "$work/soak2" --days 3 --profile laptop >/dev/null
soak_chart "$work/soak1" laptop-soak-as-predicted as_predicted
soak_chart "$work/soak2" laptop-soak-over-budget over_budget
echo "charts written to $here"
