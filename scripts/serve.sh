#!/usr/bin/env bash
# Starts the service on its embedded default: SQLite + ./data, bound to 127.0.0.1:8000.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
exec cargo run --release --locked -p stylecut -- serve "$@"
