#!/usr/bin/env bash
# Runs every test of the workspace (unit and integration, real ffmpeg, ../shared/media).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
cargo test --workspace --locked "$@"
