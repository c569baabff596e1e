# Shared by scripts/setup, scripts/run and scripts/test. Sourced, not executed.
# shellcheck shell=bash

EARSHOT_REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die() { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }

# The Mac the macOS-only code (#[cfg(target_os = "macos")]) is type-checked for: only
# its Rust standard library is needed (rustup target), no SDK and no linker.
EARSHOT_MACOS_TARGET=aarch64-apple-darwin

# cargo installs land here; a fresh shell may not have it on PATH yet.
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

# CI keeps its Rust build cache outside the clone so the next run reuses it; everyone
# else gets cargo's default (target/ in the repo) unless they chose a CARGO_TARGET_DIR.
earshot_target_dir() {
    if [ -z "${CARGO_TARGET_DIR:-}" ] && [ "${CI:-}" = "true" ]; then
        local cache=/var/cache/earshot/target
        if ! mkdir -p "$cache" 2>/dev/null || [ ! -w "$cache" ]; then
            cache="${XDG_CACHE_HOME:-$HOME/.cache}/earshot/target"
            mkdir -p "$cache"
        fi
        export CARGO_TARGET_DIR="$cache"
    fi
    EARSHOT_TARGET="${CARGO_TARGET_DIR:-$EARSHOT_REPO/target}"
    export EARSHOT_TARGET
}

# The simulated Mac the app looks at on Linux (its default --root there).
earshot_sim_root() {
    local state="${XDG_STATE_HOME:-}"
    case "$state" in /*) ;; *) state="$HOME/.local/state" ;; esac
    printf '%s/earshot/sim\n' "$state"
}

# The front end must exist before `cargo build` of the app: Tauri embeds ui/dist.
earshot_build_ui() {
    say "building the front end (ui/dist)"
    (cd "$EARSHOT_REPO/ui" && npm run --silent build) || die "front-end build failed (ui/)"
}

# The app, and the helper and CLI it is run and tested against (one cargo call, so
# the shared dependencies build once).
earshot_build_app() {
    say "building the app (earshot-app), the helper and the CLI"
    (cd "$EARSHOT_REPO" && cargo build -p earshot-app -p earshot-helper -p earshot-cli) ||
        die "cargo build of the app, helper and CLI failed"
    EARSHOT_APP="$EARSHOT_TARGET/debug/earshot-app"
    EARSHOT_HELPER="$EARSHOT_TARGET/debug/earshot-helper"
    EARSHOT_CLI="$EARSHOT_TARGET/debug/earshot"
    export EARSHOT_APP EARSHOT_HELPER EARSHOT_CLI
}
