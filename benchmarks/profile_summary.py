"""Sums a perf report (benchmarks/profile.sh) into shares of CPU time: by kind of code, and by what system calls cost."""
import re
import sys

SELF_LINE = re.compile(r"^\s+([\d.]+)%\s+(\S.*?)\s{2,}\[(.)\]\s+(.*)$")
CHILDREN_LINE = re.compile(r"^\s+([\d.]+)%\s+([\d.]+)%\s+\[(.)\]\s+(.*)$")

# What a JIT-compiled frame belongs to, from the assembly perf's map names in brackets.
def kind_of(dso, symbol):
    if dso.startswith("[kernel"):
        return "kernel"
    if dso.startswith("[JIT]"):
        match = re.search(r"\[([A-Za-z0-9_.]+)\] ([A-Za-z0-9_.]+)", symbol)
        assembly = match.group(1) if match else "?"
        name = match.group(2) if match else ""
        if assembly.startswith("TinyRpc.Benchmarks"):
            return "benchmark code"
        if assembly.startswith("TinyRpc"):
            return "TinyRpc"
        if assembly == "System.Text.Json":
            return "System.Text.Json"
        if name.startswith("System.Threading") or name.startswith("System.Runtime.CompilerServices"):
            return "threads, tasks, locks (.NET)"
        if assembly.startswith("System.Net") or assembly.startswith("Microsoft.AspNetCore") or assembly.startswith("NetMQ") or assembly.startswith("AsyncIO"):
            return "networking libraries (.NET, Kestrel, NetMQ)"
        if assembly.startswith("StreamJsonRpc") or assembly.startswith("Nerdbank") or assembly.startswith("Microsoft.VisualStudio"):
            return "StreamJsonRpc"
        return "other .NET code"
    if "libcoreclr" in dso or "libclrjit" in dso or "libSystem" in dso:
        return "runtime (GC, JIT, stubs)"
    if "libc" in dso or "ld-linux" in dso:
        return "libc"
    return "other native code"

def main(self_path, children_path):
    kinds = {}
    top = []
    for line in open(self_path, encoding="utf-8", errors="replace"):
        match = SELF_LINE.match(line)
        if not match:
            continue
        share, dso, _, symbol = float(match.group(1)), match.group(2).strip(), match.group(3), match.group(4).strip()
        kind = kind_of(dso, symbol)
        kinds[kind] = kinds.get(kind, 0.0) + share
        top.append((share, kind, symbol))

    print("\nCPU time by kind of code (self time):")
    for kind, share in sorted(kinds.items(), key=lambda item: -item[1]):
        print(f"  {share:5.1f}%  {kind}")

    calls = {}
    wanted = {
        "__x64_sys_sendto": "send", "__x64_sys_sendmsg": "send", "__x64_sys_write": "write",
        "__x64_sys_recvfrom": "receive", "__x64_sys_recvmsg": "receive", "__x64_sys_read": "read",
        "__x64_sys_futex": "futex (thread waits and wake-ups)", "__x64_sys_sched_yield": "sched_yield (spinning threads)",
        "__x64_sys_epoll_wait": "epoll_wait", "__x64_sys_epoll_ctl": "epoll_ctl",
    }
    for line in open(children_path, encoding="utf-8", errors="replace"):
        match = CHILDREN_LINE.match(line)
        if match and match.group(4).strip() in wanted:
            name = wanted[match.group(4).strip()]
            calls[name] = calls.get(name, 0.0) + float(match.group(1))

    print("\nCPU time inside system calls (with what the kernel does for them):")
    for name, share in sorted(calls.items(), key=lambda item: -item[1]):
        print(f"  {share:5.1f}%  {name}")

    print("\nThe 25 functions with the most self time:")
    for share, kind, symbol in sorted(top, key=lambda item: -item[0])[:25]:
        print(f"  {share:5.2f}%  [{kind}] {symbol[:150]}")

if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
