#!/usr/bin/env bash
# Installs Debian's `chromium` package for test/browser/ (playwright-core drives it through
# `executablePath`; no browser download). Idempotent: does nothing when the pinned version
# (or, where the mirror no longer offers it, any version) is already installed. Pinned as
# far as apt allows: Debian security updates replace chromium in place and drop the old
# version from the mirror, so when the pin is gone the candidate is installed and the
# script says so. Override with SEALFLOW_CHROMIUM_VERSION. Needs root (CI runs as root) or sudo.
set -euo pipefail

pin="${SEALFLOW_CHROMIUM_VERSION:-156.0.8078.114-1~deb12u1}"
log() { printf 'install-chromium: %s\n' "$*" >&2; }

installed="$(dpkg-query -W -f='${Version}' chromium 2>/dev/null || true)"
if [[ "$installed" == "$pin" && -x /usr/bin/chromium ]]; then
  log "chromium $installed already installed"
  exit 0
fi

if [[ "$(id -u)" -eq 0 ]]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1; then
  as_root=(sudo)
else
  log "needs root (or sudo) to apt-get install chromium"
  exit 1
fi
command -v apt-get >/dev/null 2>&1 || { log "apt-get not found: install chromium yourself and set SEALFLOW_CHROMIUM"; exit 1; }

"${as_root[@]}" apt-get update -qq
if apt-cache madison chromium | awk -F'|' '{gsub(/ /, "", $2); print $2}' | grep -qxF "$pin"; then
  target="chromium=$pin"
elif [[ -n "$installed" && -x /usr/bin/chromium ]]; then
  log "chromium $pin is no longer offered; keeping the installed $installed"
  exit 0
else
  target="chromium"
  log "chromium $pin is no longer offered; installing the candidate $(apt-cache policy chromium | awk '/Candidate:/ {print $2}')"
fi
DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq --no-install-recommends "$target" >/dev/null
log "ready: /usr/bin/chromium $(dpkg-query -W -f='${Version}' chromium)"
