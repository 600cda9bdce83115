#!/usr/bin/env bash
# Runs every test of Hindsight, installing what is missing: formatting and lints, the Rust unit
# and integration tests, the TypeScript binding drift check, the UI unit tests, and the
# end-to-end test of the real desktop window under Xvfb driven by WebDriver.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ensure_apt "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
ensure_toolchains
ensure_npm

log "UI: type check and unit tests"
npm run --silent typecheck
npm run --silent test:ui
build_ui

log "Rust: formatting"
cargo fmt --all -- --check

log "Rust: build"
cargo build --workspace

log "Rust: unit and integration tests (also regenerates ui/src/lib/bindings)"
cargo test --workspace

log "TypeScript bindings: no drift from the Rust DTOs"
if ! git diff --exit-code --stat -- ui/src/lib/bindings; then
  echo "ui/src/lib/bindings differs from what the Rust DTOs generate: commit the regenerated files." >&2
  exit 1
fi
untracked="$(git ls-files --others --exclude-standard -- ui/src/lib/bindings)"
if [ -n "$untracked" ]; then
  echo "new generated bindings are not committed: $untracked" >&2
  exit 1
fi

log "Rust: lints"
cargo clippy --workspace --all-targets -- -D warnings

log "desktop: end-to-end test of the real window (tauri-driver + WebKitWebDriver under Xvfb)"
if ! command -v tauri-driver >/dev/null; then
  log "installing tauri-driver"
  cargo install tauri-driver --locked --quiet
fi
export PATH="$HOME/.cargo/bin:$PATH"
xvfb-run --auto-servernum --server-args="-screen 0 1400x900x24" \
  node --test --test-concurrency=1 --test-reporter=spec tests/desktop/
