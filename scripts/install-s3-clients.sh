#!/usr/bin/env bash
# Installs the Python S3 clients the gateway suites drive (boto3 and the AWS CLI), pinned in
# test/setup/python/s3-clients.txt, into their own virtualenv .emulators/s3-clients
# (git-ignored), idempotently: a second run with the same pins does nothing.
#   .emulators/s3-clients/bin/python  (import boto3)
#   .emulators/s3-clients/bin/aws     (the AWS CLI)
# Suites find them there; SEALFLOW_S3_CLIENTS_VENV overrides the folder.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${SEALFLOW_S3_CLIENTS_VENV:-$root/.emulators/s3-clients}"
pins="$root/test/setup/python/s3-clients.txt"
log() { printf 'install-s3-clients: %s\n' "$*" >&2; }

PYTHON="${PYTHON:-python3}"
command -v "$PYTHON" >/dev/null 2>&1 || { log "python3 not found: cannot install boto3 and the AWS CLI"; exit 1; }
stamp="$venv/.pins.sha256"
digest="$(sha256sum "$pins" | cut -d' ' -f1)"
if [[ -x "$venv/bin/python" && -x "$venv/bin/aws" && -f "$stamp" && "$(cat "$stamp")" == "$digest" ]]; then
  log "boto3 and the AWS CLI already installed in $venv"
  exit 0
fi
log "installing boto3 and the AWS CLI into $venv"
rm -rf "$venv"
mkdir -p "$(dirname "$venv")"
"$PYTHON" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$pins"
printf '%s' "$digest" > "$stamp"
log "ready: $venv/bin/python (boto3), $venv/bin/aws"
