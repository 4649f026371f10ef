#!/usr/bin/env bash
# Makes sure a working Tilt of the pinned version is at ~/.local/bin/tilt, building it from the Go
# module proxy and the npm registry when missing or at another version (this machine can fetch no
# release binary). A source build has no web dashboard and refuses to start, so the dashboard is
# built first and embedded.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

version=${TILT_VERSION:-0.34.0}
bin=${TILT_BIN_DIR:-$HOME/.local/bin}

if [ -x "$bin/tilt" ] && "$bin/tilt" version 2>/dev/null | grep -q "^v$version,"; then
  say "Tilt $version found in $bin"; exit 0
fi
need go "Install Go 1.26 (https://go.dev/dl) and run this again."
need node "Install Node.js 20 (Debian: apt-get install nodejs npm) and run this again: Tilt's dashboard is built with it."
need npm "Install npm (Debian: apt-get install npm) and run this again."
need corepack "Install corepack (npm install -g corepack) and run this again: Tilt's dashboard pins its yarn version through it."

say "Building Tilt $version into $bin. First time only: about 10 minutes on 2 cores."
# Tilt's checksum is not in the public checksum database: skip that lookup for this one module.
mod=$(GONOSUMDB=github.com/tilt-dev/tilt GOFLAGS=-mod=mod go mod download -json "github.com/tilt-dev/tilt@v$version" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
[ -d "$mod" ] || die "could not download github.com/tilt-dev/tilt@v$version from the Go module proxy"
# Tilt's go.mod has replace directives, so `go install` refuses it: build inside a writable copy.
src="$CANTEEN_CACHE/src/tilt-$version"
if [ ! -f "$src/go.mod" ]; then
  rm -rf "$src" "$src.tmp"; mkdir -p "$(dirname "$src")"
  cp -r "$mod" "$src.tmp" && chmod -R u+w "$src.tmp" && mv "$src.tmp" "$src"
fi
if [ ! -f "$src/pkg/assets/build/index.html" ]; then
  # corepack fetches the yarn the dashboard pins, and yarn its packages, from the npm registry
  # this machine reaches rather than from their own hosts.
  export COREPACK_ENABLE_DOWNLOAD_PROMPT=0 COREPACK_NPM_REGISTRY YARN_NPM_REGISTRY_SERVER
  COREPACK_NPM_REGISTRY=$(npm config get registry 2>/dev/null); COREPACK_NPM_REGISTRY=${COREPACK_NPM_REGISTRY%/}
  YARN_NPM_REGISTRY_SERVER=$COREPACK_NPM_REGISTRY
  with_heartbeat "enable corepack" corepack enable
  with_heartbeat "install dashboard packages" bash -c "cd '$src/web' && yarn install"
  with_heartbeat "build dashboard" bash -c "cd '$src/web' && yarn build"
  mkdir -p "$src/pkg/assets/build" && cp -r "$src/web/build/." "$src/pkg/assets/build/"
fi
mkdir -p "$bin"
# The module's vendor/ folder is incomplete; resolve dependencies through the module proxy instead.
with_heartbeat "build tilt" bash -c "cd '$src' && GONOSUMDB=github.com/tilt-dev/tilt go build -mod=mod -ldflags '-X main.version=$version' -o '$bin/.tilt.tmp' ./cmd/tilt"
mv "$bin/.tilt.tmp" "$bin/tilt"
"$bin/tilt" version | grep -q "^v$version," || die "$bin/tilt does not report version $version after the build"
say "Tilt $version ready in $bin"
