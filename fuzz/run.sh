#!/usr/bin/env bash
# Runs the fuzz targets under AFL++ for a bounded time each and prints, per target, the executions, the inputs in
# the corpus AFL++ built (its paths), crashes and hangs. Exits non-zero when any target found a crash or a hang.
#   fuzz/run.sh [seconds per target] [target...]     (default: 60 seconds, every target)
# Needs afl-fuzz (Debian's afl++) and the SharpFuzz.CommandLine tool of the repository's tool manifest.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
seconds=${1:-60}
shift || true
out="$root/artifacts/fuzz"
bin="$out/bin"

all=(json-request json-reply json-differential msgpack-request msgpack-reply framing websocket websocket-server)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${all[@]}")

# Seeds: json-differential reads the same inputs as json-request.
seeds_of() { case "$1" in json-differential) echo "$root/fuzz/corpus/json-request" ;; *) echo "$root/fuzz/corpus/$1" ;; esac; }

rm -rf "$bin"
dotnet publish fuzz/TinyRpc.Fuzz/TinyRpc.Fuzz.csproj -c Release -nologo -v q -o "$bin"
dotnet tool restore >/dev/null
for dll in TinyRpc.Runtime.dll TinyRpc.MessagePack.dll MessagePack.dll TinyRpc.AspNetCore.dll; do
  dotnet sharpfuzz "$bin/$dll" >/dev/null
done

# The seeds must pass before fuzzing starts: a failing seed is a regression.
for t in "${targets[@]}"; do
  dotnet "$bin/TinyRpc.Fuzz.dll" check "$t" "$(seeds_of "$t")" >/dev/null
done

export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1
status=0
for t in "${targets[@]}"; do
  findings="$out/findings/$t"
  rm -rf "$findings"; mkdir -p "$out/findings"
  afl-fuzz -V "$seconds" -t 10000 -m none -i "$(seeds_of "$t")" -o "$findings" -- dotnet "$bin/TinyRpc.Fuzz.dll" run "$t" >"$out/$t.log" 2>&1 || {
    echo "$t: afl-fuzz failed, see $out/$t.log"; tail -n 20 "$out/$t.log"; status=1; continue; }
  stats="$findings/default/fuzzer_stats"
  value() { sed -n "s/^$1 *: *//p" "$stats"; }
  crashes=$(value saved_crashes); hangs=$(value saved_hangs)
  echo "$t: $(value execs_done) executions, $(value corpus_count) paths, $crashes crashes, $hangs hangs ($seconds s)"
  if [ "${crashes:-1}" != 0 ] || [ "${hangs:-1}" != 0 ]; then
    status=1
    for input in "$findings"/default/crashes/id* "$findings"/default/hangs/id*; do
      [ -e "$input" ] || continue
      echo "  $input"; { dotnet "$bin/TinyRpc.Fuzz.dll" check "$t" "$input" 2>&1 || true; } | head -n 5 | sed 's/^/    /'
    done
  fi
done
exit $status
