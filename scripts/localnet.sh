#!/usr/bin/env bash
# Starts a local fog chain under .localnet/ and runs a scripted sealed-bid auction through the CLI.
#
#   scripts/localnet.sh [--validators N] [--no-demo]   create and start the chain and six provider
#                                                      workers, then run a customer order end to end
#                                                      and a gold order chosen by x/quorum
#   scripts/localnet.sh --no-workers                   no workers: the demo is a sealed-bid auction
#                                                      driven by hand through the CLI
#   scripts/localnet.sh stop                           stop every node and worker started from .localnet/
#   scripts/localnet.sh demo                           run the demo again on the running chain
#
# Node i listens on 127.0.0.1 ports 26657+100i (RPC), 26656+100i (P2P), 9090+100i (gRPC),
# 1317+100i (REST). Logs: .localnet/val<i>.log. Keys (keyring-backend test): .localnet/keys.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
DIR="$ROOT/.localnet"
BIN="$ROOT/build/fogd"
CHAIN_ID=fog-localnet
KEYS="$DIR/keys"
DENOM=ufog
VALIDATORS=1
DEMO=1
WORKERS=1
CMD=start

while [ $# -gt 0 ]; do
  case "$1" in
    --validators) VALIDATORS="$2"; shift 2 ;;
    --no-demo) DEMO=0; shift ;;
    --no-workers) WORKERS=0; shift ;;
    stop|demo|start) CMD="$1"; shift ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

# Demo providers of the CLI-only demo (--no-workers): deterministic libp2p peer ids and worker keys
# (ed25519 seeds "fog-localnet-provider-i").
PEER_IDS=(12D3KooWMJYunT2WpqCikEfauWWjQtn1XFBkEvicEkstSkBm65Uw 12D3KooWNAas3dRX1m22mnveHrMqcwdrzHgxTGasCixzdgREvV6b 12D3KooWFP3yScjpJAxkcdA624HkAhXnmcNPKXf8dStKQxGyAxyp)
WORKER_KEYS=(aaa8f70644f0ef00b94a651731c2a4c583147e07fba4ef22dc2ba2ca201212ec b77a36a28b7491473913fa9b00b893d58563d7d3adf8df276924df62c463650c 52aa074100822030bad46c38cdead438f5a6b8eb4d23b3be25956d863ad12823)
REGIONS=(eu-west us-east ap-south eu-north us-west ap-east)
PROVIDERS=(provider1 provider2 provider3 provider4 provider5 provider6)
# The workers' TEEs and what the auditor signs of them (x/quorum's gold tier counts these):
# test-sev-snp and test-tdx sign real-format evidence with published test chains whose roots this
# genesis trusts (development only, see x/tee/README.md); provider3 has no TEE.
TEE_TYPES=(test-sev-snp test-tdx none test-tdx test-sev-snp test-tdx)
ASNS=(AS1 AS1 AS2 AS3 AS4 AS5)
POWER_REGIONS=(r1 r2 r1 r2 r1 r3)

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
fogd() { "$BIN" "$@"; }
rpc() { echo "tcp://127.0.0.1:26657"; }
q() { fogd query "$@" --node "$(rpc)" -o json; }

# jq reads the CLI's JSON. Where none is installed, gojq (jq written in Go) is built into .bin/ once and
# stands in for it; it prints object keys sorted, jq in the order the filter names them.
GOJQ_VERSION=v0.12.19
need_jq() {
  command -v jq >/dev/null && return
  [ -x "$ROOT/.bin/gojq" ] || GOBIN="$ROOT/.bin" go install "github.com/itchyny/gojq/cmd/gojq@$GOJQ_VERSION"
  jq() { "$ROOT/.bin/gojq" "$@"; }
}

stop_nodes() {
  for pidfile in "$DIR"/worker*.pid "$DIR"/val*.pid; do
    [ -f "$pidfile" ] || continue
    pid=$(cat "$pidfile")
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$pidfile"
  done
}

height() { fogd status --node "$(rpc)" 2>/dev/null | jq -r '.sync_info.latest_block_height // "0"' 2>/dev/null || echo 0; }

wait_height() {
  local want=$1 tries=0
  while [ "$(height)" -lt "$want" ]; do
    tries=$((tries + 1))
    [ $tries -gt 600 ] && { echo "chain stuck below height $want (see $DIR/val0.log)" >&2; exit 1; }
    sleep 0.2
  done
}

FEE=2000
declare -A FEES_PAID

# tx FROM ARGS... : broadcast, wait for inclusion, fail loudly on a non-zero code.
tx() {
  local from=$1; shift
  local out hash code
  out=$(fogd tx "$@" --from "$from" --keyring-backend test --home "$KEYS" --chain-id "$CHAIN_ID" \
    --node "$(rpc)" --gas auto --gas-adjustment 1.5 --fees $FEE$DENOM -y -o json 2>/dev/null) \
    || { echo "tx $* by $from failed: $out" >&2; exit 1; }
  FEES_PAID[$from]=$(( ${FEES_PAID[$from]:-0} + FEE ))
  code=$(echo "$out" | jq -r '.code')
  hash=$(echo "$out" | jq -r '.txhash')
  [ "$code" = "0" ] || { echo "tx $* failed: $(echo "$out" | jq -r '.raw_log')" >&2; exit 1; }
  for _ in $(seq 100); do
    if res=$(fogd query tx "$hash" --node "$(rpc)" -o json 2>/dev/null); then
      code=$(echo "$res" | jq -r '.code')
      [ "$code" = "0" ] || { echo "tx $* failed: $(echo "$res" | jq -r '.raw_log')" >&2; exit 1; }
      return 0
    fi
    sleep 0.2
  done
  echo "tx $hash not included" >&2
  exit 1
}

addr() { fogd keys show "$1" -a --keyring-backend test --home "$KEYS"; }
balance() { q bank balance "$(addr "$1")" $DENOM | jq -r '.balance.amount'; }

setup() {
  stop_nodes
  rm -rf "$DIR"
  mkdir -p "$DIR"
  for name in customer auditor "${PROVIDERS[@]}"; do
    fogd keys add "$name" --keyring-backend test --home "$KEYS" >/dev/null 2>&1
  done
  for i in $(seq 0 $((VALIDATORS - 1))); do
    local home="$DIR/val$i"
    fogd init "val$i" --chain-id "$CHAIN_ID" --home "$home" >/dev/null 2>&1
    fogd keys add "val$i" --keyring-backend test --home "$home" >/dev/null 2>&1
  done
  local genesis="$DIR/val0/config/genesis.json"
  for i in $(seq 0 $((VALIDATORS - 1))); do
    fogd genesis add-genesis-account "$(fogd keys show "val$i" -a --keyring-backend test --home "$DIR/val$i")" \
      1000000000000$DENOM --home "$DIR/val0"
  done
  for name in customer auditor "${PROVIDERS[@]}"; do
    fogd genesis add-genesis-account "$(addr "$name")" 100000000000$DENOM --home "$DIR/val0"
  done
  # x/quorum: an auditor approved at genesis (later ones are approved by governance); it signs the
  # providers' ASN and power region in the gold demo.
  fogd genesis add-genesis-auditor "$(addr auditor)" "Localnet audit (demo)" --home "$DIR/val0"
  # Short governance periods so params can be changed by proposal on a localnet.
  jq '.app_state.gov.params.voting_period = "20s" | .app_state.gov.params.expedited_voting_period = "10s"' \
    "$genesis" > "$genesis.tmp" && mv "$genesis.tmp" "$genesis"
  # The shipped ZK circuits, registered at genesis with keys from a single-party setup: fine for a
  # localnet, never for a real network (whoever ran the setup can forge proofs; see x/proofs/README.md).
  mkdir -p "$DIR/zk"
  echo "ZK circuits: a single-party Groth16 setup per circuit (localnet only; ~15 s in all)"
  local t0
  for c in $(fogd zk list | awk '{print $1}'); do
    t0=$SECONDS
    printf '  %-16s setup ... ' "$c"
    fogd zk setup "$c" --out-dir "$DIR/zk" >/dev/null
    fogd zk add-genesis-circuit "$c" "$DIR/zk/$c.vk" --home "$DIR/val0" >/dev/null
    echo "registered at genesis ($((SECONDS - t0)) s)"
  done
  # TEEs, development only (see x/tee/README.md): the published SEV-SNP and TDX test chains of the
  # workers' test-vendor backends trusted next to AMD's and Intel's roots, and a simulated TEE root
  # (for workers added by hand: `fogd tee sim-device --root .localnet/tee/root.key`); this fogd
  # build's measurement allowed for the three types.
  mkdir -p "$DIR/tee"
  fogd tee add-genesis-test-roots --description "fogd $(fogd version) (localnet build)" --home "$DIR/val0"
  fogd tee sim-root --out "$DIR/tee/root.key" >/dev/null
  fogd tee add-genesis-simulated-root "$DIR/tee/root.key" --home "$DIR/val0"
  fogd tee add-genesis-measurement simulated "$(fogd tee measurement)" --description "fogd $(fogd version) (localnet build)" --home "$DIR/val0"
  mkdir -p "$DIR/gentxs"
  for i in $(seq 0 $((VALIDATORS - 1))); do
    local home="$DIR/val$i"
    [ "$i" = 0 ] || cp "$genesis" "$home/config/genesis.json"
    fogd genesis gentx "val$i" 100000000000$DENOM --chain-id "$CHAIN_ID" --keyring-backend test --home "$home" \
      --output-document "$DIR/gentxs/val$i.json" >/dev/null 2>&1
  done
  fogd genesis collect-gentxs --gentx-dir "$DIR/gentxs" --home "$DIR/val0" >/dev/null 2>&1
  fogd genesis validate "$genesis" --home "$DIR/val0" >/dev/null

  local peers=""
  for i in $(seq 0 $((VALIDATORS - 1))); do
    local id
    id=$(fogd comet show-node-id --home "$DIR/val$i")
    peers="$peers${peers:+,}$id@127.0.0.1:$((26656 + 100 * i))"
  done
  for i in $(seq 0 $((VALIDATORS - 1))); do
    local home="$DIR/val$i" off=$((100 * i))
    [ "$i" = 0 ] || cp "$genesis" "$home/config/genesis.json"
    sed -i \
      -e "s#^laddr = \"tcp://127.0.0.1:26657\"#laddr = \"tcp://127.0.0.1:$((26657 + off))\"#" \
      -e "s#^laddr = \"tcp://0.0.0.0:26656\"#laddr = \"tcp://127.0.0.1:$((26656 + off))\"#" \
      -e "s#^proxy_app = .*#proxy_app = \"tcp://127.0.0.1:$((26658 + off))\"#" \
      -e "s#^pprof_laddr = .*#pprof_laddr = \"\"#" \
      -e "s#^persistent_peers = .*#persistent_peers = \"$peers\"#" \
      -e "s#^allow_duplicate_ip = .*#allow_duplicate_ip = true#" \
      -e "s#^addr_book_strict = .*#addr_book_strict = false#" \
      -e "s#^timeout_commit = .*#timeout_commit = \"1s\"#" \
      "$home/config/config.toml"
    # app.toml: enable REST, move gRPC and REST ports per node.
    awk -v api=$((1317 + off)) -v grpc=$((9090 + off)) '
      /^\[api\]/ {sec="api"} /^\[grpc\]/ {sec="grpc"} /^\[grpc-web\]/ {sec="grpc-web"} /^\[/ && !/^\[(api|grpc|grpc-web)\]/ {sec=""}
      sec=="api" && /^enable = / {$0="enable = true"}
      sec=="api" && /^address = / {$0="address = \"tcp://127.0.0.1:" api "\""}
      sec=="grpc" && /^address = / {$0="address = \"127.0.0.1:" grpc "\""}
      {print}' "$home/config/app.toml" > "$home/config/app.toml.tmp" && mv "$home/config/app.toml.tmp" "$home/config/app.toml"
  done
}

start_nodes() {
  for i in $(seq 0 $((VALIDATORS - 1))); do
    "$BIN" start --home "$DIR/val$i" > "$DIR/val$i.log" 2>&1 &
    echo $! > "$DIR/val$i.pid"
  done
  wait_height 2
  echo "chain $CHAIN_ID is up with $VALIDATORS validator(s): RPC tcp://127.0.0.1:26657, gRPC 127.0.0.1:9090, REST http://127.0.0.1:1317"
}

# Six workers, each with its own cost model: price per block = base + 0.002 per milli-CPU, so for a
# 1000-millicore order 4, 5, 7, 8, 9 and 15ufog.
WORKER_BASE=(2 3 5 6 7 13)

start_workers() {
  for i in 1 2 3 4 5 6; do
    local home="$DIR/worker$i"
    if [ ! -f "$home/worker.toml" ]; then
      fogd worker init --home "$home" --chain-id "$CHAIN_ID" --rpc "$(rpc)" --grpc 127.0.0.1:9090 \
        --key "provider$i" --keyring-backend test --keyring-dir "$KEYS" \
        --listen "/ip4/127.0.0.1/tcp/$((4000 + i))" --metrics-addr "127.0.0.1:$((9464 + i))" >/dev/null
      sed -i -e "s/^base_per_block = .*/base_per_block = '${WORKER_BASE[$((i - 1))]}'/" \
        -e "s/^per_millicpu = .*/per_millicpu = '0.002'/" -e "s/^per_mib_memory = .*/per_mib_memory = '0'/" \
        -e "s/^margin = .*/margin = '1'/" -e "s/^withdraw_every_blocks = .*/withdraw_every_blocks = 5/" \
        -e "/^\[attributes\]/a region = '${REGIONS[$((i - 1))]}'" "$home/worker.toml"
      sed -i -e "/^\[tee\]/,/^\[/ s|^type = .*|type = '${TEE_TYPES[$((i - 1))]}'|" "$home/worker.toml"
    fi
    "$BIN" worker start --home "$home" > "$DIR/worker$i.log" 2>&1 &
    echo $! > "$DIR/worker$i.pid"
  done
  echo "waiting for the workers to register their providers (each locks the provider bond) and attest ..."
  for i in 1 2 3 4 5 6; do
    local tries=0
    until q market provider "$(addr "provider$i")" >/dev/null 2>&1; do
      tries=$((tries + 1))
      [ $tries -gt 300 ] && { echo "worker$i did not register (see $DIR/worker$i.log)" >&2; exit 1; }
      sleep 0.2
    done
  done
  for i in 1 2 3 4 5 6; do
    local tries=0
    [ "${TEE_TYPES[$((i - 1))]}" != none ] || continue
    until [ "$(q tee enclave "$(addr "provider$i")" 2>/dev/null | jq -r '.valid')" = "true" ]; do
      tries=$((tries + 1))
      [ $tries -gt 300 ] && { echo "worker$i did not attest (see $DIR/worker$i.log)" >&2; exit 1; }
      sleep 0.2
    done
  done
  echo "workers up: provider1..6 on /ip4/127.0.0.1/tcp/4001..4006, metrics on 127.0.0.1:9465..9470, logs $DIR/worker<i>.log"
  echo "attested in x/tee with the test-vendor backends (development only): provider1 and provider5 SEV-SNP, provider2, provider4 and provider6 TDX; provider3 has no TEE"
}

# demo_client: a customer runs a WASM workload through the market with `fogd client run`.
demo_client() {
  local wasm="$ROOT/build/workloads/wordcount.wasm"
  [ -f "$wasm" ] || { echo "build the example workloads first: make workloads" >&2; exit 1; }
  # the auditor signs the providers' attributes for the gold demo meanwhile
  sign_attributes > "$DIR/auditor.log" 2>&1 &
  SIGN_PID=$!
  say "Providers (registered by their workers)"
  q market providers | jq -c '.providers[] | {owner, peer_id, worker_pubkey, multiaddrs}'
  local names=(customer "${PROVIDERS[@]}") before=() i
  for i in "${!names[@]}"; do before[$i]=$(balance "${names[$i]}"); done

  say "Enclave records (x/tee): test-vendor SEV-SNP and TDX evidence verified against the test roots in genesis"
  q tee enclaves | jq -c '.enclaves[] | {provider, tee_type, measurement, expiry_height}'

  say "Customer runs the wordcount workload on README.md (max 10ufog/block, 100 blocks, bronze, confidential)"
  echo "worker prices per block for 1000 mCPU: provider1 4, provider2 5, provider3 7 (no TEE: may not bid), provider4 8,"
  echo "provider5 9, provider6 15 (above the max price)"
  fogd client run --wasm "$wasm" --input "$ROOT/README.md" --out "$DIR/output.txt" \
    --receipt-out "$DIR/receipt.json" --max-price 10$DENOM --lease-blocks 100 --sla-tier bronze --privacy confidential \
    --cpu 1000 --memory 256 --commit-blocks 10 --reveal-blocks 10 --from customer \
    --keyring-backend test --home "$KEYS" --chain-id "$CHAIN_ID" --node "$(rpc)" --grpc-addr 127.0.0.1:9090

  say "Output (last lines of $DIR/output.txt)"
  tail -n 5 "$DIR/output.txt"
  say "Receipt"
  jq -c '.receipt.receipt | {lease_id, task_seq, provider, status, duration_micros}' "$DIR/receipt.json"; echo "anchored in batch $(jq -r .batch_id "$DIR/receipt.json") (leaf $(jq -r .proof.index "$DIR/receipt.json") of $(jq -r .proof.total "$DIR/receipt.json"))"
  fogd client verify-receipt "$DIR/receipt.json" --node "$(rpc)"

  local lease_id
  lease_id=$(q market leases --owner "$(addr customer)" | jq -r '.leases[-1].id')
  say "Lease $lease_id and payments (ufog; fees are zero on this localnet)"
  q market lease "$lease_id" | jq -c '.lease | {id, provider, price_per_block, start_height, settled_through, state, close_reason, paid}'
  printf '%-10s %14s\n' account "change"
  for i in "${!names[@]}"; do
    printf '%-10s %14d\n' "${names[$i]}" $(( $(balance "${names[$i]}") - before[$i] ))
  done
  echo "(the customer paid only the blocks the lease ran; the winner earned them at the second price)"
  demo_zk
}

# name_of ADDRESS: the demo account's name, or the address.
name_of() {
  local n
  for n in customer auditor "${PROVIDERS[@]}"; do
    [ "$(addr "$n")" = "$1" ] && { echo "$n"; return; }
  done
  echo "$1"
}

# event HEIGHT TYPE ORDER_ID: the attributes of a typed event that block HEIGHT's end emitted for an
# order, as one JSON object (each value decoded).
event() {
  fogd query block-results "$1" --node "$(rpc)" -o json 2>/dev/null | jq -c --arg t "$2" --arg id "$3" '
    [.finalize_block_events[]? | select(.type == $t) | .attributes | map({(.key): (.value | fromjson? // .)}) | add
     | select((.order_id | tostring) == $id)] | first // {}'
}

# wait_bids ORDER N: wait until N bids are committed on the order (its workers bid by themselves).
wait_bids() {
  local tries=0
  until [ "$(q market order "$1" | jq -r '.order.bid_count // 0')" -ge "$2" ]; do
    tries=$((tries + 1))
    [ $tries -gt 300 ] && { echo "order $1 did not get $2 bids (see $DIR/worker<i>.log)" >&2; exit 1; }
    sleep 0.2
  done
}

# constraints JSON: one line per constraint, "asn 2 of 3 (no)".
constraints() {
  jq -r '.[] | "  \(.name): \(.got // 0) of \(.required // 0)\(if .ok then "" else "  <- not met" end)"'
}

# sign_attributes: the auditor (approved in genesis) signs each provider's ASN and power region by
# transaction. demo_client starts it in the background, to overlap the bronze demo.
sign_attributes() {
  local i
  for i in 0 1 2 3 4 5; do
    tx auditor quorum sign-attributes "$(addr "${PROVIDERS[$i]}")" "asn=${ASNS[$i]}" "power-region=${POWER_REGIONS[$i]}"
    echo "${PROVIDERS[$i]}: asn=${ASNS[$i]} power-region=${POWER_REGIONS[$i]}"
  done
}
SIGN_PID=

# demo_gold: x/quorum chooses a gold order's replica set among the six workers' bids: the cheapest
# set with 3 distinct audited ASNs, 2 TEE vendors and 2 power regions, each member paid its critical
# value; then a gold order that only TDX providers may bid on fails, refunding everyone.
demo_gold() {
  local i n
  say "Gold tier (x/quorum): 3 replicas, >= 3 audited ASNs, >= 2 TEE vendors (SEV-SNP, TDX), >= 2 power regions"
  q quorum tiers | jq -c '.tiers[] | select(.name == "gold") | .sla'
  say "The auditor (approved in genesis) signed each provider's ASN and power region (fogd tx quorum sign-attributes)"
  if [ -n "$SIGN_PID" ]; then
    wait "$SIGN_PID" || { echo "the auditor's signing failed (see $DIR/auditor.log)" >&2; exit 1; }
  else
    sign_attributes > "$DIR/auditor.log"
  fi
  printf '%-10s %-5s %-7s %-10s %s\n' provider asn region tee "bid (ufog/block, 1000 mCPU)"
  local prices=(4 5 7 8 9 15)
  local profiles
  profiles=$(q quorum validate-diversity gold $(for n in "${PROVIDERS[@]}"; do addr "$n"; done) | jq -c '.profiles')
  for i in 0 1 2 3 4 5; do
    n=${PROVIDERS[$i]}
    echo "$profiles" | jq -r --arg p "$(addr "$n")" --arg n "$n" --arg price "${prices[$i]}" \
      '.[] | select(.provider == $p) | "\($n | .[0:10] | . + " " * (10 - length)) \(.asn | . + " " * (5 - length)) \(.power_region | . + " " * (7 - length)) \((.tee_vendor // "none") | sub("TEE_TYPE_"; "") | . + " " * (10 - length)) \($price)"'
  done

  say "Would the three cheapest (provider1, provider2, provider3) make a gold set? (fogd q quorum validate-diversity)"
  q quorum validate-diversity gold "$(addr provider1)" "$(addr provider2)" "$(addr provider3)" \
    | jq -r '"feasible: \(.feasible // false)", (.constraints | .[] | "  \(.name): \(.got // 0) of \(.required // 0)\(if .ok then "" else "  <- not met" end)")'
  echo "and provider1, provider3, provider4?"
  q quorum validate-diversity gold "$(addr provider1)" "$(addr provider3)" "$(addr provider4)" \
    | jq -r '"feasible: \(.feasible // false)", (.constraints | .[] | "  \(.name): \(.got // 0) of \(.required // 0)\(if .ok then "" else "  <- not met" end)")'

  local names=(customer "${PROVIDERS[@]}") before=()
  for i in "${!names[@]}"; do before[$i]=$(balance "${names[$i]}"); done
  FEES_PAID=()
  say "Customer posts a gold order: max 20ufog/block, 50 blocks, 1000 mCPU; the six workers bid by themselves"
  local workload order_id commit_deadline reveal_deadline
  workload=$(printf 'fog gold demo' | sha256sum | cut -d' ' -f1)
  tx customer market create-order "$workload" 20$DENOM --cpu 1000 --memory 256 --lease-blocks 50 \
    --sla-tier gold --privacy public --commit-blocks 10 --reveal-blocks 10
  order_id=$(q market orders --owner "$(addr customer)" | jq -r '.orders[-1].id')
  q market order "$order_id" | jq -c '.order | {id, tier, replicas, state, escrow, commit_deadline, reveal_deadline}'
  commit_deadline=$(q market order "$order_id" | jq -r '.order.commit_deadline')
  reveal_deadline=$(q market order "$order_id" | jq -r '.order.reveal_deadline')
  wait_bids "$order_id" 6
  echo "six sealed bids committed; the workers reveal after height $commit_deadline"
  wait_height $((reveal_deadline + 1))
  q market bids "$order_id" | jq -r '.bids[] | "\(.provider) \(.state) \(.price.amount)"' | while read -r p st price; do
    echo "  $(name_of "$p") bid ${price}$DENOM: $st"
  done

  say "Settlement at the end of block $reveal_deadline: x/quorum chose the replica set (EventQuorumSelected)"
  local ev
  ev=$(event "$reveal_deadline" fog.quorum.v1.EventQuorumSelected "$order_id")
  echo "$ev" | jq -c '{order_id, tier, candidates, evaluated}'
  for i in $(seq 0 $(( $(echo "$ev" | jq '.members | length') - 1 ))); do
    echo "  member $(name_of "$(echo "$ev" | jq -r ".members[$i]")"): paid $(echo "$ev" | jq -r ".prices[$i].amount")$DENOM per block"
  done
  echo "$ev" | jq -c '.constraints' | constraints
  echo "why: the three cheapest bids (4 + 5 + 7) share AS1; provider1 + provider3 + provider4 (4 + 7 + 8 = 19) is the"
  echo "cheapest set with 3 ASNs, 2 vendors (SEV-SNP, TDX) and 2 regions. Each member is paid its critical value,"
  echo "the most it could have bid and still won: the cheapest feasible set without it (21 for each of the three:"
  echo "provider2+3+5 without provider1 or provider4, provider1+4+5 without provider3) minus what its partners bid:"
  echo "provider1 21-(7+8)=6, provider3 21-(4+8)=9, provider4 21-(4+7)=10. No member's pay depends on its own bid."
  q market order "$order_id" | jq -c '.order | {id, state, clearing_price}'

  local tries=0 leases
  until [ "$(q market leases --owner "$(addr customer)" | jq --arg o "$order_id" '[.leases[] | select(.order_id == $o and .state == "LEASE_STATE_ACTIVE")] | length')" = 3 ]; do
    tries=$((tries + 1))
    [ $tries -gt 300 ] && { echo "the winners did not start their leases" >&2; exit 1; }
    sleep 0.2
  done
  leases=$(q market leases --owner "$(addr customer)" | jq -r --arg o "$order_id" '.leases[] | select(.order_id == $o) | .id')
  say "Leases: one per member, each at its own price; the workers started them, the customer closes them"
  for l in $leases; do
    q market lease "$l" | jq -r '.lease | "\(.id) \(.provider) \(.price_per_block.amount) \(.state)"' | while read -r id p price st; do
      echo "  lease $id: $(name_of "$p") at ${price}$DENOM/block, $st"
    done
  done
  for l in $leases; do tx customer market close-lease "$l"; done
  tries=0
  until [ "$(balance provider2)" = "${before[2]}" ] && [ "$(balance provider5)" = "${before[5]}" ] && [ "$(balance provider6)" = "${before[6]}" ]; do
    tries=$((tries + 1)); [ $tries -gt 100 ] && break; sleep 0.2
  done
  printf '%-10s %14s %10s\n' account "market change" "fees"
  for i in "${!names[@]}"; do
    printf '%-10s %14d %10d\n' "${names[$i]}" $(( $(balance "${names[$i]}") - before[i] + ${FEES_PAID[${names[$i]}]:-0} )) "${FEES_PAID[${names[$i]}]:-0}"
  done
  echo "(members earned their pay for the blocks their leases ran; the losers' deposits came back)"

  say "An infeasible gold order: it requires TDX (--tee-type tdx), so only provider2, provider4 and provider6 may bid"
  for i in "${!names[@]}"; do before[$i]=$(balance "${names[$i]}"); done
  FEES_PAID=()
  tx customer market create-order "$workload" 20$DENOM --cpu 1000 --memory 256 --lease-blocks 50 \
    --sla-tier gold --privacy public --tee-type tdx --commit-blocks 10 --reveal-blocks 10
  order_id=$(q market orders --owner "$(addr customer)" | jq -r '.orders[-1].id')
  q market order "$order_id" | jq -c '.order | {id, tier, tee_type, state, escrow}'
  reveal_deadline=$(q market order "$order_id" | jq -r '.order.reveal_deadline')
  wait_bids "$order_id" 3
  wait_height $((reveal_deadline + 1))
  q market bids "$order_id" | jq -r '.bids[] | "\(.provider) \(.state) \(.price.amount)"' | while read -r p st price; do
    echo "  $(name_of "$p") bid ${price}$DENOM: $st"
  done
  q market order "$order_id" | jq -c '.order | {id, state, close_reason}'
  echo "EventQuorumInfeasible (the most the bids could reach):"
  event "$reveal_deadline" fog.quorum.v1.EventQuorumInfeasible "$order_id" | jq -c '.constraints' | constraints
  echo "EventOrderFailed: $(event "$reveal_deadline" fog.market.v1.EventOrderFailed "$order_id" | jq -c '{reason, revealed_bids, refunded}')"
  tries=0
  until [ "$(balance provider2)" = "${before[2]}" ] && [ "$(balance provider4)" = "${before[4]}" ] && [ "$(balance provider6)" = "${before[6]}" ]; do
    tries=$((tries + 1)); [ $tries -gt 100 ] && break; sleep 0.2
  done
  printf '%-10s %14s %10s\n' account "market change" "fees"
  for i in "${!names[@]}"; do
    printf '%-10s %14d %10d\n' "${names[$i]}" $(( $(balance "${names[$i]}") - before[i] + ${FEES_PAID[${names[$i]}]:-0} )) "${FEES_PAID[${names[$i]}]:-0}"
  done
  echo "(the order failed with everything refunded: the customer's escrow and the bidders' deposits)"
}

# demo_zk: a private fact checked on chain: a value committed with MiMC lies in a public range.
demo_zk() {
  say "A zero-knowledge claim checked on chain (circuit range: the committed value is in [10, 100])"
  local id claim
  echo '{"value": 42, "salt": "271828182845904523536", "lo": 10, "hi": 100}' > "$DIR/zk/range-witness.json"
  fogd zk prove range --pk "$DIR/zk/range.pk" --witness "$DIR/zk/range-witness.json" --out "$DIR/zk/range-proof.json"
  id=$(q proofs circuits | jq -r '.circuits[] | select(.name == "range") | .id')
  tx customer proofs verify-proof "$id" "$DIR/zk/range-proof.json"
  claim=$(q proofs claims --circuit-id "$id" | jq -c '.claims[-1] | {id, circuit_id, submitter, height, public_inputs_hash}')
  echo "verified claim: $claim"
  echo "(the chain checked the proof against circuit $id's verifying key; the value 42 is not on chain)"
}

demo() {
  say "Providers register"
  for i in 1 2 3; do
    if q market provider "$(addr "provider$i")" >/dev/null 2>&1; then
      echo "provider$i is already registered"
      continue
    fi
    tx "provider$i" market register-provider "${PEER_IDS[$((i - 1))]}" \
      --multiaddrs "/ip4/127.0.0.1/tcp/$((4000 + i))" --worker-pubkey "${WORKER_KEYS[$((i - 1))]}" \
      --attributes "region=${REGIONS[$((i - 1))]}" --cpu 4000 --memory 8192 --storage 100000
  done
  q market providers | jq -c '.providers[] | {owner, peer_id, attributes}'

  local before_customer before1 before2 before3
  before_customer=$(balance customer); before1=$(balance provider1); before2=$(balance provider2); before3=$(balance provider3)
  FEES_PAID=()

  say "Customer posts an order: max 10ufog/block, 20 blocks, bronze (1 replica)"
  local workload
  workload=$(printf 'fog demo workload' | sha256sum | cut -d' ' -f1)
  tx customer market create-order "$workload" 10$DENOM --cpu 1000 --memory 512 --storage 100 \
    --lease-blocks 20 --sla-tier bronze --privacy public --commit-blocks 20 --reveal-blocks 20
  local order_id
  order_id=$(q market orders --owner "$(addr customer)" | jq -r '.orders[-1].id')
  q market order "$order_id" | jq -c '.order | {id, state, replicas, escrow, commit_deadline, reveal_deadline}'

  say "Sealed bids: provider1 5ufog, provider2 3ufog (will never reveal), provider3 4ufog"
  tx provider1 market commit-bid "$order_id" 5$DENOM
  tx provider2 market commit-bid "$order_id" 3$DENOM
  tx provider3 market commit-bid "$order_id" 4$DENOM
  q market bids "$order_id" | jq -c '.bids[] | {provider, state, deposit}'

  local commit_deadline reveal_deadline
  commit_deadline=$(q market order "$order_id" | jq -r '.order.commit_deadline')
  reveal_deadline=$(q market order "$order_id" | jq -r '.order.reveal_deadline')
  say "Reveal phase (after height $commit_deadline): provider1 and provider3 reveal"
  wait_height $((commit_deadline + 1))
  tx provider1 market reveal-bid "$order_id"
  tx provider3 market reveal-bid "$order_id"
  q market bids "$order_id" | jq -c '.bids[] | {provider, state, price}'

  say "Settlement at the end of block $reveal_deadline"
  wait_height $((reveal_deadline + 1))
  q market order "$order_id" | jq -c '.order | {id, state, clearing_price}'
  local clearing
  clearing=$(q market order "$order_id" | jq -r '.order.clearing_price.amount')
  echo "clearing price: ${clearing}$DENOM per block (second price; the winning bid was 4)"
  q market bids "$order_id" | jq -c '.bids[] | {provider, state, price}'
  echo "burned: $(q market bids "$order_id" | jq -r '.bids[] | select(.state == "BID_STATE_FORFEITED") | .deposit.amount')$DENOM (provider2's deposit: committed, never revealed)"

  local lease_id
  lease_id=$(q market leases --owner "$(addr customer)" | jq -r '.leases[-1].id')
  say "Lease $lease_id: the winner starts it, works 5 blocks, withdraws; the customer closes it early"
  tx provider3 market start-lease "$lease_id"
  q market lease "$lease_id" | jq -c '.lease | {id, provider, price_per_block, start_height, end_height, escrow, bond}'
  local start
  start=$(q market lease "$lease_id" | jq -r '.lease.start_height')
  wait_height $((start + 5))
  tx provider3 market withdraw-lease "$lease_id"
  tx customer market close-lease "$lease_id"
  q market lease "$lease_id" | jq -c '.lease | {id, state, close_reason, settled_through, paid}'

  say "Payouts since the order was posted (ufog; transaction fees shown apart)"
  printf '%-10s %14s %10s\n' account "market change" "fees"
  local name before
  for name in customer provider1 provider2 provider3; do
    case $name in customer) before=$before_customer ;; provider1) before=$before1 ;; provider2) before=$before2 ;; provider3) before=$before3 ;; esac
    printf '%-10s %14d %10d\n' "$name" $(( $(balance "$name") - before + ${FEES_PAID[$name]:-0} )) "${FEES_PAID[$name]:-0}"
  done
  echo "(customer: paid the lease, the rest of the escrow came back; provider3: paid at the clearing price; provider2: lost its deposit)"
  q market market | jq -c '{open_orders: (.open_orders // "0"), active_leases: (.active_leases // "0"), escrowed, deposits, bonded, provider_bonds, bands: [.bands[] | {tier, price_per_mcpu_block, samples}]}'
  echo
  echo "REST: curl -s http://127.0.0.1:1317/fog/market/v1/orders"
}

case "$CMD" in
  stop) stop_nodes; echo "localnet stopped" ;;
  demo)
    need_jq
    if [ -f "$DIR/worker1.pid" ]; then demo_client; demo_gold; else demo; fi
    ;;
  start)
    [ -x "$BIN" ] || { echo "build fogd first: make build" >&2; exit 1; }
    need_jq
    setup
    start_nodes
    if [ "$WORKERS" = 1 ]; then
      start_workers
      [ "$DEMO" = 1 ] && { demo_client; demo_gold; }
    else
      [ "$DEMO" = 1 ] && demo
    fi
    echo
    echo "the chain keeps running; stop it with: make localnet-stop"
    ;;
esac
