#!/usr/bin/env bash
# Installs the two KMS emulators the keystore-aws-kms suites run against, and the Python
# ESDK the interop suites read with, pinned, into .emulators/ (git-ignored), idempotently:
# a second run with all present at the pinned versions does nothing.
#   - moto's server, from PyPI, in its own virtualenv -> .emulators/moto/bin/moto_server
#   - local-kms, from the Go module proxy             -> .emulators/bin/sealflow-local-kms
#   - the Python ESDK (aws-encryption-sdk), from PyPI, in its own virtualenv
#                                                     -> .emulators/esdk-python/bin/python
# test/setup/kms-emulators.ts finds them there (SEALFLOW_MOTO_SERVER and
# SEALFLOW_LOCAL_KMS_BIN override). A virtualenv keeps moto and its dependencies out of the
# machine's Python. local-kms has no release tags, so it is pinned by pseudo-version
# (`go list -m -versions github.com/nsmithuk/local-kms` lists none).
set -euo pipefail

MOTO_VERSION="5.2.5"
LOCAL_KMS_VERSION="v0.0.0-20260228092603-2a5e92d09ab6"
PYTHON_ESDK_VERSION="4.0.7"

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="$root/.emulators"
log() { printf 'install-emulators: %s\n' "$*" >&2; }

# --- moto[server] ---------------------------------------------------------------------
PYTHON="${PYTHON:-python3}"
venv="$dest/moto"
command -v "$PYTHON" >/dev/null 2>&1 || { log "python3 not found: cannot install moto's server"; exit 1; }
installed_moto=""
if [[ -x "$venv/bin/python" ]]; then
  installed_moto="$("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("moto"))' 2>/dev/null || true)"
fi
# The [server] extra brings flask and flask-cors: check them too, not just moto.
if [[ "$installed_moto" == "$MOTO_VERSION" && -x "$venv/bin/moto_server" ]] && "$venv/bin/python" -c 'import flask, flask_cors' >/dev/null 2>&1; then
  log "moto[server] $MOTO_VERSION already installed in $venv"
else
  log "installing moto[server]==$MOTO_VERSION into $venv (found: ${installed_moto:-none})"
  rm -rf "$venv"
  mkdir -p "$dest"
  "$PYTHON" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "moto[server]==$MOTO_VERSION"
fi

# --- local-kms ------------------------------------------------------------------------
# local-kms's own main listens on every interface; test/setup/local-kms is a small main
# over local-kms's server package (pinned in its go.mod/go.sum to LOCAL_KMS_VERSION) that
# binds 127.0.0.1 only.
command -v go >/dev/null 2>&1 || { log "go not found: cannot build local-kms"; exit 1; }
src="$root/test/setup/local-kms"
if ! grep -q "github.com/nsmithuk/local-kms $LOCAL_KMS_VERSION" "$src/go.mod"; then
  log "test/setup/local-kms/go.mod does not pin local-kms $LOCAL_KMS_VERSION; fix one of them"
  exit 1
fi
bin="$dest/bin/sealflow-local-kms"
stamp="$bin.stamp"
# The stamp is a digest of the wrapper's sources and pins: same digest, same binary.
digest="$(cat "$src/main.go" "$src/go.mod" "$src/go.sum" | sha256sum | cut -d' ' -f1)"
if [[ -x "$bin" && -f "$stamp" && "$(cat "$stamp")" == "$digest" ]]; then
  log "local-kms $LOCAL_KMS_VERSION already built at $bin"
else
  log "building local-kms $LOCAL_KMS_VERSION (loopback main) into $bin"
  mkdir -p "$dest/bin"
  # GOTOOLCHAIN=local: never fetch a toolchain; -mod=readonly: go.sum is the pin.
  (cd "$src" && GOTOOLCHAIN=local GOFLAGS=-mod=readonly go build -trimpath -o "$bin" .)
  printf '%s' "$digest" > "$stamp"
fi

# --- the Python AWS Encryption SDK (a stock reader for the interop suites) -------------
# test/interop/python/esdk_reader.py runs in its own virtualenv: the pinned ESDK and its
# dependencies (cryptography, boto3, attrs, wrapt) at the versions in
# scripts/esdk-python-constraints.txt, nothing from the machine.
esdk_venv="$dest/esdk-python"
installed_esdk=""
if [[ -x "$esdk_venv/bin/python" ]]; then
  installed_esdk="$("$esdk_venv/bin/python" -c 'import importlib.metadata as m; print(m.version("aws-encryption-sdk"))' 2>/dev/null || true)"
fi
if [[ "$installed_esdk" == "$PYTHON_ESDK_VERSION" ]] && "$esdk_venv/bin/python" -c 'import aws_encryption_sdk, boto3' >/dev/null 2>&1; then
  log "aws-encryption-sdk $PYTHON_ESDK_VERSION already installed in $esdk_venv"
else
  log "installing aws-encryption-sdk==$PYTHON_ESDK_VERSION into $esdk_venv (found: ${installed_esdk:-none})"
  rm -rf "$esdk_venv"
  mkdir -p "$dest"
  "$PYTHON" -m venv "$esdk_venv"
  "$esdk_venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    -c "$root/scripts/esdk-python-constraints.txt" "aws-encryption-sdk==$PYTHON_ESDK_VERSION"
fi

log "ready: $venv/bin/moto_server, $bin, $esdk_venv/bin/python"
