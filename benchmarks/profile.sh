#!/bin/sh
# Where the time of one benchmark case goes: samples it with Linux perf and prints the shares.
#   benchmarks/profile.sh <scenario> <benchmark method> reverse_string|add [seconds]
#   e.g. benchmarks/profile.sh tcp TinyRpc64 reverse_string
# Scenarios and methods are those of `--allocations` (docs/benchmarks.md). Needs perf (Debian's linux-perf) and a
# built benchmark program (`dotnet build benchmarks/TinyRpc.Benchmarks -c Release`). The runtime writes a map of its
# JIT-compiled methods for perf (DOTNET_PerfMapEnabled), and maps code once instead of twice
# (DOTNET_EnableWriteXorExecute=0) so that perf can name it. The samples are CPU time (cpu-clock, about 1 kHz per
# core), of the whole process: client, server and the runtime's own threads.
set -eu
cd "$(dirname "$0")/.."
[ $# -ge 3 ] || { echo "usage: $0 <scenario> <benchmark method> reverse_string|add [seconds]" >&2; exit 2; }
out=artifacts/profiles
mkdir -p "$out"
data="$out/$1-$2-$3.perf.data"
DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 perf record -F 999 -e cpu-clock -g -o "$data" \
    dotnet benchmarks/TinyRpc.Benchmarks/bin/Release/net10.0/TinyRpc.Benchmarks.dll --profile "$@"
perf report -i "$data" --no-children --sort dso,sym -g none --stdio 2>/dev/null > "$data.self.txt"
perf report -i "$data" --children --sort sym -g none --stdio 2>/dev/null > "$data.children.txt"
python3 benchmarks/profile_summary.py "$data.self.txt" "$data.children.txt"
