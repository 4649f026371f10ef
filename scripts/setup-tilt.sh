#!/usr/bin/env bash
# Makes sure a working Tilt of the pinned version is at ~/.local/bin/tilt, building it from the Go
# module proxy and the npm registry when missing or at another version (this machine can fetch no
# release binary). A Tilt built from source has no web dashboard and refuses to start, so the
# dashboard is built first and embedded, and the version is stamped in the way Tilt's release
# builds (.goreleaser.yml) do it, so `tilt version` says v0.34.0 and Tilt serves the embedded
# dashboard. A Tilt already there at the right version, e.g. a release binary, is reused.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

version=${TILT_VERSION:-0.34.0}
bin=${TILT_BIN_DIR:-$HOME/.local/bin}

# `tilt version` prints e.g. "v0.34.0, built 2025-03-11" (a "-dev" suffix means unstamped).
have() { [ -x "$1" ] && case "$("$1" version 2>/dev/null)" in "v$version, "*) true ;; *) false ;; esac; }
if have "$bin/tilt"; then say "Tilt $version found in $bin"; exit 0; fi
[ -x "$bin/tilt" ] && say "$bin/tilt is $("$bin/tilt" version 2>/dev/null || echo 'not working'); replacing it with $version"

need go "Install Go 1.26 (https://go.dev/dl) and run this again."
need node "Install Node.js 20 or newer (Debian: apt-get install nodejs) and run this again: Tilt's dashboard is built with it."
need npm "Install npm (Debian: apt-get install npm) and run this again: it tells where the npm registry is."
node_major=$(node -p 'process.versions.node.split(".")[0]')
[ "$node_major" -ge 20 ] || die "Node.js $(node --version) is too old for Tilt's dashboard; install Node.js 20 or newer and run this again."

say "Building Tilt $version into $bin. First time only: about 10 minutes on 2 cores (dashboard 2, Go 7)."
# Download from a neutral directory so no go.mod/go.sum of the caller is touched. Tilt's checksum
# is not in the public checksum database: skip that lookup for this one module.
json=$(cd / && GOWORK=off GOFLAGS=-mod=mod GONOSUMDB="github.com/tilt-dev/tilt${GONOSUMDB:+,$GONOSUMDB}" \
  go mod download -json "github.com/tilt-dev/tilt@v$version" || true)
field() { sed -n "s/^\t\"$1\": \"\(.*\)\",\{0,1\}\$/\1/p" <<<"$json"; }
mod=$(field Dir)
[ -d "$mod" ] || die "could not download github.com/tilt-dev/tilt@v$version from the Go module proxy. $(field Error)"
date=$(sed -n 's/.*"Time":"\([0-9-]*\)T.*/\1/p' "$(field Info)" 2>/dev/null || true)   # release date

# Tilt's go.mod has replace directives, so `go install` refuses it: build inside a writable copy.
src="$CANTEEN_CACHE/src/tilt-$version"
if [ ! -f "$src/go.mod" ]; then
  rm -rf "$src" "$src.tmp"; mkdir -p "$(dirname "$src")"
  cp -r "$mod" "$src.tmp" && chmod -R u+w "$src.tmp" && mv "$src.tmp" "$src"
fi

# The dashboard: a React app, built with the yarn release Tilt keeps in web/.yarn/releases (so no
# corepack and no global yarn are needed), fetching its packages from the npm registry this
# machine reaches. CI=false: react-scripts would fail on the app's harmless warnings under CI.
build_dashboard() {
  local registry yarnpath
  registry=$(npm config get registry 2>/dev/null || true); registry=${registry%/}
  yarnpath=$(sed -n 's/^yarnPath: *//p' "$src/web/.yarnrc.yml" 2>/dev/null || true)
  local -a yarn=(node "$src/web/$yarnpath")
  if [ -z "$yarnpath" ]; then
    need corepack "Install corepack (npm install -g corepack) and run this again: Tilt's dashboard pins its yarn through it."
    yarn=(corepack yarn)
  fi
  export CI=false COREPACK_ENABLE_DOWNLOAD_PROMPT=0 YARN_ENABLE_TELEMETRY=0
  export YARN_NPM_REGISTRY_SERVER=${registry:-https://registry.npmjs.org} COREPACK_NPM_REGISTRY=${registry:-https://registry.npmjs.org}
  with_heartbeat "install dashboard packages" bash -c 'cd "$1/web" && shift && "$@" install' _ "$src" "${yarn[@]}"
  with_heartbeat "build dashboard" bash -c 'cd "$1/web" && shift && "$@" build' _ "$src" "${yarn[@]}"
  [ -f "$src/web/build/index.html" ] || die "the dashboard build made no $src/web/build/index.html"
  mkdir -p "$src/pkg/assets/build" && cp -r "$src/web/build/." "$src/pkg/assets/build/"
  touch "$src/.canteen-dashboard-built"   # marks a complete copy, so a rerun skips this step
}
[ -f "$src/.canteen-dashboard-built" ] || build_dashboard

# The module's vendor/ holds only modules.txt, so resolve dependencies through the module proxy
# (-mod=mod). Flags as in Tilt's .goreleaser.yml: a stamped version makes Tilt serve the embedded
# dashboard (an unstamped "-dev" build looks for a local webpack server instead).
ldflags="-s -w -X main.version=$version -X main.date=$date"
mkdir -p "$bin"
# Build to a temporary name and rename, so an interrupted build never leaves a broken binary.
with_heartbeat "build tilt" bash -c 'cd "$1" && GOWORK=off go build -mod=mod -ldflags "$2" -o "$3" ./cmd/tilt' \
  _ "$src" "$ldflags" "$bin/.tilt.tmp"
have "$bin/.tilt.tmp" || die "the freshly built Tilt does not report version $version; see $CANTEEN_CACHE/logs/build-tilt.log"
mv "$bin/.tilt.tmp" "$bin/tilt"
say "Tilt $version ready in $bin ($("$bin/tilt" version))"
case ":$PATH:" in *":$bin:"*) ;; *) say "Note: $bin is not on PATH; run it as $bin/tilt or add that folder to PATH." ;; esac
