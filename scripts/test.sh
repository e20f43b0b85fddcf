#!/usr/bin/env bash
# Runs every test of the workspace (unit and integration, real ffmpeg, ../shared/media),
# then checks the live server against its OpenAPI document with schemathesis.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
cargo test --workspace --locked "$@"
./scripts/openapi-check.sh target/debug/stylecut
