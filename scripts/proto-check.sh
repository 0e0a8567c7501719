#!/usr/bin/env bash
# Fails when `make proto-gen` would change the committed generated code.
set -euo pipefail
cd "$(dirname "$0")/.."
before=$(mktemp)
trap 'rm -f "$before"' EXIT
find . -path ./.bin -prune -o \( -name '*.pb.go' -o -name '*.pb.gw.go' \) -print | sort | xargs sha256sum > "$before"
./scripts/protocgen.sh >/dev/null
if ! find . -path ./.bin -prune -o \( -name '*.pb.go' -o -name '*.pb.gw.go' \) -print | sort | xargs sha256sum | diff "$before" -; then
  echo "generated protobuf code is stale: run make proto-gen and commit the result" >&2
  exit 1
fi
echo "generated protobuf code is up to date"
