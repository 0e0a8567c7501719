#!/usr/bin/env bash
# Regenerates the committed Go code from proto/ with Go alone: scripts/protoc-go (protoc's job, done by
# github.com/bufbuild/protocompile) and the plugins, built into .bin/ at pinned versions, imports taken
# from the Go module cache. The first run downloads these modules; later runs work offline.
set -euo pipefail
cd "$(dirname "$0")/.."

GOGOPROTO_VERSION=v1.7.2
GRPC_GATEWAY_VERSION=v1.16.0

BIN="$(pwd)/.bin"
mkdir -p "$BIN"
[ -x "$BIN/protoc-gen-gocosmos" ] || GOBIN="$BIN" go install "github.com/cosmos/gogoproto/protoc-gen-gocosmos@${GOGOPROTO_VERSION}"
[ -x "$BIN/protoc-gen-grpc-gateway" ] || GOBIN="$BIN" go install "github.com/grpc-ecosystem/grpc-gateway/protoc-gen-grpc-gateway@${GRPC_GATEWAY_VERSION}"
# Built on every run: go build relinks only when scripts/protoc-go changed (no VCS stamp, so not on
# every commit).
(cd scripts/protoc-go && go build -buildvcs=false -o "$BIN/protoc-go" .)
export PATH="$BIN:$PATH"

# Module directories (downloaded on demand) that hold the imported .proto files.
moddir() { go mod download -json "$1" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p'; }
SDK=$(moddir github.com/cosmos/cosmos-sdk)
GOGO=$(moddir github.com/cosmos/gogoproto)
COSMOS_PROTO=$(moddir github.com/cosmos/cosmos-proto)
GATEWAY=$(moddir "github.com/grpc-ecosystem/grpc-gateway@${GRPC_GATEWAY_VERSION}")

OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

INCLUDES=(-I proto -I "$SDK/proto" -I "$GOGO" -I "$COSMOS_PROTO/proto" -I "$GATEWAY/third_party/googleapis")

for dir in $(find proto -name '*.proto' -exec dirname {} \; | sort -u); do
  files=$(find "$dir" -maxdepth 1 -name '*.proto' | sort)
  "$BIN/protoc-go" "${INCLUDES[@]}" \
    --gocosmos_out="plugins=grpc,Mgoogle/protobuf/any.proto=github.com/cosmos/gogoproto/types/any:$OUT" \
    $files
  if grep -q 'google.api.http' $files; then
    "$BIN/protoc-go" "${INCLUDES[@]}" --grpc-gateway_out="logtostderr=true,allow_colon_final_segments=true:$OUT" $files
  fi
done

# Generated files land under their go_package path; move them into this module.
cp -r "$OUT/github.com/fogchain/fog/." ./
echo "generated: $(cd "$OUT/github.com/fogchain/fog" && find . -name '*.go' | sort | tr '\n' ' ')"
