#!/usr/bin/env bash
# Starts the service on its embedded default: SQLite + ./data, bound to 127.0.0.1:8000.
# Relative paths (`./data`, `--data-dir DIR`, `--config FILE`) are read from the directory
# it is started in, as for any command, not from the repository.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd -P)"
"$ROOT/scripts/install-deps.sh"
exec cargo run --release --locked --manifest-path "$ROOT/Cargo.toml" -p stylecut -- serve "$@"
