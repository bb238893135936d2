#!/usr/bin/env bash
# Installs the two KMS emulators the keystore-aws-kms suites run against, pinned and
# idempotent (a second run with both present at the pinned versions does nothing):
#   - moto's server, from PyPI        -> `moto_server` on PATH (pip's script directory)
#   - local-kms, from the Go proxy    -> $(go env GOPATH)/bin/sealflow-local-kms
# test/setup/services.ts finds them at those places (or through SEALFLOW_MOTO_SERVER and
# SEALFLOW_LOCAL_KMS_BIN). local-kms has no release tags, so it is pinned by pseudo-version
# (`go list -m -versions github.com/nsmithuk/local-kms` lists none).
set -euo pipefail

MOTO_VERSION="5.2.5"
LOCAL_KMS_VERSION="v0.0.0-20260228092603-2a5e92d09ab6"

log() { printf 'install-emulators: %s\n' "$*" >&2; }

# --- moto[server] ---------------------------------------------------------------------
PYTHON="${PYTHON:-python3}"
if ! command -v "$PYTHON" >/dev/null 2>&1; then
  log "python3 not found: cannot install moto's server"
  exit 1
fi
installed_moto="$("$PYTHON" -c 'import importlib.metadata as m; print(m.version("moto"))' 2>/dev/null || true)"
# The [server] extra brings flask and flask-cors; check for them too, not just moto.
if [[ "$installed_moto" == "$MOTO_VERSION" ]] && "$PYTHON" -c 'import flask, flask_cors' >/dev/null 2>&1; then
  log "moto[server] $MOTO_VERSION already installed"
else
  log "installing moto[server]==$MOTO_VERSION (found: ${installed_moto:-none})"
  PIP_ROOT_USER_ACTION=ignore "$PYTHON" -m pip install --quiet --disable-pip-version-check "moto[server]==$MOTO_VERSION"
fi
# pyenv shims (and some pip layouts) need a rehash before a new script is on PATH.
if command -v pyenv >/dev/null 2>&1; then pyenv rehash || true; fi

# --- local-kms ------------------------------------------------------------------------
# local-kms's own main listens on every interface; test/setup/local-kms is a 20-line main
# over local-kms's server package (pinned in its go.mod/go.sum to LOCAL_KMS_VERSION) that
# binds 127.0.0.1 only. It is built into $(go env GOPATH)/bin/sealflow-local-kms.
if ! command -v go >/dev/null 2>&1; then
  log "go not found: cannot build local-kms"
  exit 1
fi
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
src="$root/test/setup/local-kms"
if ! grep -q "github.com/nsmithuk/local-kms $LOCAL_KMS_VERSION" "$src/go.mod"; then
  log "test/setup/local-kms/go.mod does not pin local-kms $LOCAL_KMS_VERSION; fix one of them"
  exit 1
fi
gobin="$(go env GOBIN)"
[[ -n "$gobin" ]] || gobin="$(go env GOPATH)/bin"
bin="$gobin/sealflow-local-kms"
stamp="$bin.stamp"
# The stamp is a digest of the wrapper's sources and pins: same digest, same binary.
digest="$(cat "$src/main.go" "$src/go.mod" "$src/go.sum" | sha256sum | cut -d' ' -f1)"
if [[ -x "$bin" && -f "$stamp" && "$(cat "$stamp")" == "$digest" ]]; then
  log "local-kms $LOCAL_KMS_VERSION already built at $bin"
else
  log "building local-kms $LOCAL_KMS_VERSION (loopback main) into $bin"
  mkdir -p "$gobin"
  # GOTOOLCHAIN=local: never fetch a toolchain; GOFLAGS=-mod=readonly: go.sum is the pin.
  (cd "$src" && GOTOOLCHAIN=local GOFLAGS=-mod=readonly go build -trimpath -o "$bin" .)
  printf '%s' "$digest" > "$stamp"
fi

log "moto_server: $(command -v moto_server || echo 'not on PATH')"
log "local-kms:   $bin"
