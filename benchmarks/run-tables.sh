#!/bin/sh
# Runs every table of docs/benchmarks.md in one go and draws its charts:
#   benchmarks/run-tables.sh [--quick] [--reuse-aot] [other --tables options]
# 1. builds the benchmark program (with the cold-start programs and the AotSample, JIT);
# 2. publishes the NativeAOT sample to artifacts/aot once (skipped with --reuse-aot when it is already there);
# 3. runs `TinyRpc.Benchmarks --tables`, which writes artifacts/benchmarks/results.{json,csv,md};
# 4. draws docs/benchmarks/*.svg from results.json with benchmarks/charts.py (python3, no packages).
# --quick: 5 rounds of 2 ms slices and 3 starts per program, to check that everything runs (a few minutes).
set -eu
cd "$(dirname "$0")/.."

reuse_aot=no
quick=""
for arg in "$@"; do
    case "$arg" in
        --reuse-aot) reuse_aot=yes ;;
        --quick) quick="--quick" ;;
    esac
done
set -- $(printf '%s\n' "$@" | grep -v -e '^--reuse-aot$' -e '^--quick$' || true)

dotnet build benchmarks/TinyRpc.Benchmarks -c Release -v quiet -nologo
if [ "$reuse_aot" = no ] || [ ! -x artifacts/aot/AotSample ]; then
    dotnet publish samples/AotSample/AotSample.csproj -c Release -r linux-x64 -o artifacts/aot -v quiet -nologo
fi

commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
if ! git diff --quiet HEAD 2>/dev/null; then commit="$commit+changes"; fi
dotnet benchmarks/TinyRpc.Benchmarks/bin/Release/net10.0/TinyRpc.Benchmarks.dll --tables $quick --commit "$commit" --out artifacts/benchmarks "$@"
python3 benchmarks/charts.py artifacts/benchmarks/results.json docs/benchmarks
