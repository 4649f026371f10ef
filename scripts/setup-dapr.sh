#!/usr/bin/env bash
# Makes sure ~/.dapr/bin holds daprd, placement and scheduler of the pinned Dapr release, building
# them from the Go module proxy when missing or at another version (this machine has no other way
# to get them). Binaries already there at the right version, e.g. from `dapr init`, are reused.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

version=${DAPR_VERSION:-1.18.2}
bin=${DAPR_BIN_DIR:-$HOME/.dapr/bin}

# daprd says its version; placement and scheduler have no --version flag, so for them read the
# version stamped in with -ldflags from the Go build information (recorded when not -trimpath).
have() {
  [ -x "$bin/$1" ] || return 1
  if [ "$1" = daprd ]; then [ "$("$bin/daprd" --version 2>/dev/null | tail -n 1)" = "$version" ]
  else go version -m "$bin/$1" 2>/dev/null | grep -q "buildinfo.version=$version\b"; fi
}
need go "Install Go 1.26 (https://go.dev/dl) and run this again."
missing=()
for b in daprd placement scheduler; do have "$b" || missing+=("$b"); done
if [ ${#missing[@]} -eq 0 ]; then say "Dapr $version found in $bin"; exit 0; fi

say "Building Dapr $version (${missing[*]}) into $bin. First time only: about 15 minutes on 2 cores."
mod=$(go mod download -json "github.com/dapr/dapr@v$version" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
[ -d "$mod" ] || die "could not download github.com/dapr/dapr@v$version from the Go module proxy"
# Dapr's go.mod has replace directives, so `go install` refuses it: build inside a writable copy.
src="$CANTEEN_CACHE/src/dapr-$version"
if [ ! -f "$src/go.mod" ]; then
  rm -rf "$src"; mkdir -p "$(dirname "$src")"
  cp -r "$mod" "$src.tmp" && chmod -R u+w "$src.tmp" && mv "$src.tmp" "$src"
fi
mkdir -p "$bin"
ldflags="-X github.com/dapr/dapr/pkg/buildinfo.version=$version"
for b in "${missing[@]}"; do
  tags=""; [ "$b" = daprd ] && tags="stablecomponents"   # without a components tag daprd panics at start
  # Build to a temporary name and rename, so an interrupted build never leaves a broken binary.
  with_heartbeat "build $b" bash -c "cd '$src' && go build -tags '$tags' -ldflags '$ldflags' -o '$bin/.$b.tmp' ./cmd/$b"
  mv "$bin/.$b.tmp" "$bin/$b"
done
for b in "${missing[@]}"; do have "$b" || die "$bin/$b does not report version $version after the build"; done
say "Dapr $version ready in $bin"
