#!/usr/bin/env bash
# Builds the pinned k6 and the pinned S3-compatible test server (versitygw) from
# the Go module proxy into tools/bin. Reuses a build that is already there.
# Versions are pinned in package.json "config" (k6Version, versitygwVersion).
#
#   --quiet     only errors
#   --k6-only   k6 alone (`npm run demo` needs no S3 server)
#
# What cannot be built here (ffmpeg, Go) is checked first, so a missing piece
# fails in a second instead of after minutes of building.
set -euo pipefail
cd "$(dirname "$0")/.."
quiet=false
k6_only=false
for arg in "$@"; do
  case "$arg" in
    --quiet) quiet=true ;;
    --k6-only) k6_only=true ;;
    *) echo "setup-tools: unknown option $arg (use --quiet, --k6-only)" >&2; exit 2 ;;
  esac
done
say() { $quiet || echo "setup-tools: $*"; }

# ffmpeg and ffprobe come from the system: without them nothing else is worth building.
for tool in ffmpeg ffprobe; do
  var=FFMPEG_PATH
  [[ "$tool" == ffprobe ]] && var=FFPROBE_PATH
  if [[ -n "${!var:-}" ]]; then
    [[ -x "${!var}" ]] && continue
    echo "setup-tools: $var=${!var} is not an executable $tool." >&2
    exit 1
  fi
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "setup-tools: $tool is missing: install the ffmpeg package (Debian/Ubuntu: sudo apt-get install ffmpeg; macOS: brew install ffmpeg), or set $var, then rerun." >&2
    exit 1
  fi
done

K6_VERSION="${K6_VERSION:-$(node -p 'require("./package.json").config.k6Version')}"
VERSITYGW_VERSION="${VERSITYGW_VERSION:-$(node -p 'require("./package.json").config.versitygwVersion')}"
BIN="$PWD/tools/bin"
mkdir -p "$BIN"

need_go() {
  if ! command -v go >/dev/null 2>&1; then
    echo "setup-tools: $1 is missing and Go is not installed. Install Go 1.26 or later (https://go.dev/dl/), then rerun \`npm run setup-tools\`; or install $1 yourself and set $2 to its path." >&2
    exit 1
  fi
  local v
  v="$(go env GOVERSION | sed 's/^go//')"
  if [[ "$(printf '%s\n1.26\n' "$v" | sort -V | head -1)" != "1.26" ]]; then
    echo "setup-tools: Go $v is too old to build $1; install Go 1.26 or later." >&2
    exit 1
  fi
}

# Builds a Go main package at a pinned module version into tools/bin. A throwaway
# module pins the version: `go install pkg@version` would also ask the proxy for
# @latest (deprecation check), which some mirrors refuse.
go_build_pinned() { # module version package output
  local module="$1" version="$2" pkg="$3" out="$4" work
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' RETURN
  printf 'module mediatoolkitbuild\n\ngo 1.26\n' > "$work/go.mod"
  printf '//go:build tools\n\npackage tools\n\nimport _ "%s"\n' "$pkg" > "$work/tools.go"
  (cd "$work" && GOFLAGS=-mod=mod go get "$module@$version" >/dev/null 2>&1 || GOFLAGS=-mod=mod go get "$module@$version")
  (cd "$work" && GOFLAGS=-mod=mod go build -trimpath -o "$out.tmp" "$pkg" && mv "$out.tmp" "$out")
}

k6_ready() { [[ -n "${K6_BIN:-}" ]] || [[ -x "$BIN/k6" && -f "$BIN/k6.version" && "$(cat "$BIN/k6.version")" == "$K6_VERSION" ]]; }
versitygw_ready() { $k6_only || [[ -n "${VERSITYGW_BIN:-}" ]] || [[ -x "$BIN/versitygw" && -f "$BIN/versitygw.version" && "$(cat "$BIN/versitygw.version")" == "$VERSITYGW_VERSION" ]]; }

# Go is needed only when something is to be built; check it once, before building anything.
if ! k6_ready; then need_go k6 K6_BIN; elif ! versitygw_ready; then need_go versitygw VERSITYGW_BIN; fi

# k6: skip when K6_BIN points at one, or tools/bin has the pinned version.
if [[ -n "${K6_BIN:-}" ]]; then
  say "using K6_BIN=$K6_BIN"
elif k6_ready; then
  say "k6 $K6_VERSION already built in tools/bin"
else
  say "building k6 $K6_VERSION from the Go module proxy; this takes a few minutes once"
  go_build_pinned go.k6.io/k6/v2 "$K6_VERSION" go.k6.io/k6/v2 "$BIN/k6"
  echo "$K6_VERSION" > "$BIN/k6.version"
fi

if $k6_only; then
  :
elif [[ -n "${VERSITYGW_BIN:-}" ]]; then
  say "using VERSITYGW_BIN=$VERSITYGW_BIN"
elif versitygw_ready; then
  say "versitygw $VERSITYGW_VERSION already built in tools/bin"
else
  need_go versitygw VERSITYGW_BIN
  say "building versitygw $VERSITYGW_VERSION (S3 server for the tests)"
  go_build_pinned github.com/versity/versitygw "$VERSITYGW_VERSION" github.com/versity/versitygw/cmd/versitygw "$BIN/versitygw"
  echo "$VERSITYGW_VERSION" > "$BIN/versitygw.version"
fi

say "ready: $( { [[ -n "${K6_BIN:-}" ]] && "$K6_BIN" version || "$BIN/k6" version; } 2>/dev/null | head -1 || echo "k6")"
