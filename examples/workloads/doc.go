// Package workloads holds example compute workloads for the fog market, one program per
// directory. Each is a plain Go program that reads its whole input from stdin and writes its result
// to stdout, deterministically, so that it can be built with GOOS=wasip1 GOARCH=wasm, run by the
// worker's WASM runtime (offchain/runtime) and re-executed by an auditor with the same output.
// `make workloads` builds them into build/workloads/<name>.wasm.
//
// matmul-c is matmul written in C, built with clang for wasm32-wasi (wasi-libc): a wasm-first
// toolchain, whose code runs within 3× of native under the runtime where Go's wasip1 code runs
// about 9× slower (BENCHMARKS.md).
//
// The package itself has no code; its test builds every workload both natively and for WASI and
// checks that the runtime's output matches the native one, and that matmul-c prints what matmul
// does (skipped where clang with wasi-libc is missing).
package workloads
