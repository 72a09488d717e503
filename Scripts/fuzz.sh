#!/usr/bin/env bash
# Fuzzes the file parsers with libFuzzer and AddressSanitizer (issue #24).
#
#   Scripts/fuzz.sh build                 build .build/fuzz/release/gan-fuzz (instrumented)
#   Scripts/fuzz.sh run SECONDS [TARGET…] fuzz each target for SECONDS (default: all targets);
#                                         FUZZ_RUNS=N stops a target after N inputs if sooner
#
# Targets: safetensors, checkpoint, npy, idx, png, jpeg, config, events
# (Fuzz/FuzzTargets.swift). Each starts from Fuzz/Corpus/TARGET and writes
# what it finds to a temporary corpus, never into the repository. A crash,
# a leak, an input slower than 10 s or a process above 2 GB (or a single
# allocation above 1 GB) fails the run; the reproducer is kept under
# $FUZZ_ARTIFACTS (default .build/fuzz/artifacts) and its path printed.
set -euo pipefail
cd "$(dirname "$0")/.."
targets=(safetensors checkpoint npy idx png jpeg config events)
binary=.build/fuzz/release/gan-fuzz

build() {
    local toolchain
    toolchain="$(dirname "$(readlink -f "$(command -v swift)")")/.."
    local runtime
    runtime="$(ls "$toolchain"/lib/clang/*/lib/linux/libclang_rt.fuzzer_no_main-"$(uname -m)".a | head -1)"
    swift build -c release --product gan-fuzz --build-path .build/fuzz \
        -Xswiftc -DFUZZING -Xswiftc -sanitize=address \
        -Xswiftc -sanitize-coverage=edge,trace-cmp,inline-8bit-counters,pc-table \
        -Xcc -fsanitize=address -Xcc -fsanitize-coverage=edge,trace-cmp,inline-8bit-counters,pc-table \
        -Xlinker "$runtime" -Xlinker -lstdc++
}

run() {
    local seconds="$1"
    shift
    local chosen=("$@")
    [ ${#chosen[@]} -gt 0 ] || chosen=("${targets[@]}")
    local artifacts="${FUZZ_ARTIFACTS:-.build/fuzz/artifacts}"
    mkdir -p "$artifacts"
    local failed=0
    for target in "${chosen[@]}"; do
        local work
        work="$(mktemp -d)"
        echo "== $target: ${seconds} s"
        if ! SWIFTGAN_FUZZ_TARGET="$target" ASAN_OPTIONS=detect_leaks=1 SWIFT_BACKTRACE=enable=no "$binary" \
            -max_total_time="$seconds" ${FUZZ_RUNS:+-runs=$FUZZ_RUNS} -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=1024 -max_len=65536 \
            -artifact_prefix="$artifacts/$target-" -print_final_stats=1 "$work" "Fuzz/Corpus/$target" 2>"$work.log"; then
            tail -40 "$work.log"
            echo "FAILED: $target (reproducer under $artifacts/$target-*)"
            failed=1
        else
            grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "$work.log" | sed "s/^/   /"
        fi
        rm -rf "$work" "$work.log"
    done
    return $failed
}

case "${1:-}" in
build) build ;;
run)
    shift
    run "${1:-60}" "${@:2}"
    ;;
*)
    echo "usage: Scripts/fuzz.sh build | run SECONDS [TARGET...]" >&2
    exit 2
    ;;
esac
