// Package runtime executes customer workloads: WebAssembly modules built for WASI preview 1, run
// under wazero with the memory, time and size limits of the order they belong to.
//
// A run must be reproducible, because an auditor re-executes sampled tasks and compares the output
// hash with the provider's receipt. The sandbox therefore gives a workload nothing that differs
// between machines or between runs: stdin is the task input and stdout its output, the clocks are
// wazero's fake ones, random_get is wazero's fixed-seed source, and there is no environment, no
// filesystem, no network, and a single argument (the program name). stderr is kept, truncated, for
// diagnostics only and is not part of the result an auditor compares.
//
// A workload failing (trap, non-zero exit, time, memory or output limit, invalid module) is an
// outcome of the task, reported as a Result; Run returns an error only when the task could not be
// attempted at all.
package runtime
