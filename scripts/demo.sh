#!/usr/bin/env bash
# Opens the Hindsight desktop app on the bundled demo data set, installing what is missing.
# Extra arguments go to the app (e.g. `--db team.sqlite` to open another store).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ensure_apt "${BUILD_PACKAGES[@]}"
ensure_toolchains
ensure_npm
build_ui
log "building the desktop app (the first build takes several minutes)"
cargo build --workspace
exec "${CARGO_TARGET_DIR:-$ROOT/target}/debug/hindsight-desktop" "$@"
