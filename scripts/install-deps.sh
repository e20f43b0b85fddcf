#!/usr/bin/env bash
# Installs what stylecut needs at run time (ffmpeg/ffprobe) when it is missing.
# Debian/Ubuntu only; another process may hold the dpkg lock, so retry.
set -euo pipefail
if command -v ffmpeg >/dev/null 2>&1 && command -v ffprobe >/dev/null 2>&1; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
for attempt in 1 2 3 4 5 6; do
  if $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
     $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ffmpeg; then
    exit 0
  fi
  echo "apt-get failed (attempt $attempt), retrying in 10 s" >&2
  sleep 10
done
echo "could not install ffmpeg" >&2
exit 1
