#!/usr/bin/env bash
# Measures what a snapshot costs on our node (RedisPanel.Server, Release) against a real redis-server 7.0 holding
# the same data: both start fresh on free loopback ports with --save "", get the same N keys through
# `redis-cli --pipe` (strings `key:N` -> `value:N`, or a mix of small strings/lists/hashes/sets/zsets/TTLs), then:
#   - pause: a client PINGs in a loop (one PING in flight) across a BGSAVE; the longest gap between two replies is
#     the longest time the server stopped answering. The same loop without a BGSAVE gives the machine's noise floor.
#     latest_fork_usec (ours: the snapshot pause measured inside the node; Redis: fork()) is printed beside it.
#   - bgsave: wall time from sending BGSAVE until INFO persistence reports rdb_bgsave_in_progress:0 (polled every 5 ms).
#   - load: DEBUG RELOAD NOSAVE (load the dump just written, synchronously) timed by the client.
#   - gc: our node runs with tools/gc-pause-log as a startup hook, which logs every GC pause from the runtime's own
#     events; the pauses that began during the BGSAVE are counted and summed (on a loaded machine the client's gap
#     mixes in scheduling noise; this says whether the node itself stopped). Redis has no GC: "-".
# Rounds alternate ours/redis; medians are printed with ratios ours/redis. Servers are killed by their own PIDs.
#
# usage: tools/measure-snapshot.sh [keys (default 1000000)] [rounds (default 3)] [strings|mixed (default strings)]
set -euo pipefail

KEYS=${1:-1000000}
ROUNDS=${2:-3}
DATA=${3:-strings}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
GC_HOOK_DLL="$ROOT/tools/gc-pause-log/bin/Release/net10.0/GcPauseLog.dll"
WORK=$(mktemp -d /tmp/redispanel-snapshot.XXXXXX)
# shellcheck source=tools/measure-common.sh
. "$ROOT/tools/measure-common.sh"

python3 - "$DATA" "$KEYS" > "$WORK/data.resp" <<'PY'
import sys
kind, n = sys.argv[1], int(sys.argv[2])
out = sys.stdout.buffer
def cmd(*args):
    parts = [b"*%d\r\n" % len(args)]
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        parts.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(parts)
buf = []
for i in range(n):
    if kind == "strings" or i % 10 < 5:
        buf.append(cmd("SET", f"key:{i}", f"value:{i}"))
    elif i % 10 == 5: buf.append(cmd("RPUSH", f"list:{i}", "a", i, "c"))
    elif i % 10 == 6: buf.append(cmd("HSET", f"hash:{i}", "f1", "v1", "f2", i))
    elif i % 10 == 7: buf.append(cmd("SADD", f"set:{i}", "a", "b", i))
    elif i % 10 == 8: buf.append(cmd("ZADD", f"zset:{i}", 1, "a", 2.5, "b", i, "c"))
    else: buf.append(cmd("SET", f"ttl:{i}", f"v{i}", "EX", 1000000 + i))
    if len(buf) == 10000:
        out.write(b"".join(buf)); buf = []
out.write(b"".join(buf))
PY

# One measurement round against one server: prints "pause_ms floor_ms latest_fork_usec bgsave_ms load_ms gc_pauses
# gc_total_ms gc_max_ms" (the gc fields are "-" without a GC pause log).
measure() { # port [gc pause log]
    python3 - "$1" "${2:-}" <<'PY'
import socket, sys, threading, time
port = int(sys.argv[1])
gc_log = sys.argv[2]

def conn():
    s = socket.create_connection(("127.0.0.1", port))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s

def call(s, *args, timeout=600):
    s.settimeout(timeout)
    s.sendall(b"".join([b"*%d\r\n" % len(args)] + [b"$%d\r\n%s\r\n" % (len(a), a) for a in (x.encode() for x in args)]))
    data = b""
    while True:
        data += s.recv(1 << 16)
        if data.startswith((b"+", b"-", b":")) and data.endswith(b"\r\n"): return data.decode()
        if data.startswith(b"$"):
            head, _, rest = data.partition(b"\r\n")
            if len(rest) >= int(head[1:]) + 2: return rest[:int(head[1:])].decode()

def info_field(s, name):
    for line in call(s, "INFO", "persistence" if name.startswith("rdb_") else "stats").splitlines():
        if line.startswith(name + ":"): return line.split(":", 1)[1]
    raise SystemExit(f"INFO has no {name}")

def pinger(stop, gaps):
    s = conn()
    last = time.perf_counter()
    worst = 0.0
    while not stop.is_set():
        s.sendall(b"*1\r\n$4\r\nPING\r\n")
        got = b""
        while not got.endswith(b"\r\n"): got += s.recv(64)
        now = time.perf_counter()
        worst = max(worst, now - last)
        last = now
    gaps.append(worst * 1000)
    s.close()

def ping_for(seconds):
    stop, gaps = threading.Event(), []
    t = threading.Thread(target=pinger, args=(stop, gaps)); t.start()
    time.sleep(seconds); stop.set(); t.join()
    return gaps[0]

ctl = conn()
call(ctl, "PING")
# BGSAVE with the pinger running; the control connection polls INFO every 5 ms until the save is over.
stop, gaps = threading.Event(), []
t = threading.Thread(target=pinger, args=(stop, gaps)); t.start()
time.sleep(0.3)
t0, wall0 = time.perf_counter(), time.time()
r = call(ctl, "BGSAVE")
assert r.startswith("+Background saving started"), r
while info_field(ctl, "rdb_bgsave_in_progress") != "0": time.sleep(0.005)
bgsave_ms = (time.perf_counter() - t0) * 1000
wall1 = time.time()
time.sleep(0.3)
stop.set(); t.join()
pause_ms = gaps[0]
assert info_field(ctl, "rdb_last_bgsave_status") == "ok"
fork_usec = info_field(ctl, "latest_fork_usec")
# Noise floor: the same loop for as long as the save took, with nothing else going on.
floor_ms = ping_for(max(1.0, bgsave_ms / 1000 + 0.6))
t0 = time.perf_counter()
r = call(ctl, "DEBUG", "RELOAD", "NOSAVE")
assert r.startswith("+OK"), r
load_ms = (time.perf_counter() - t0) * 1000
gc = "- - -"
if gc_log:
    # Pauses that began while the save ran (the hook flushes each line as its event arrives, long before now).
    pauses = [float(f[1]) for f in (l.split() for l in open(gc_log)) if wall0 <= float(f[0]) <= wall1]
    gc = f"{len(pauses)} {sum(pauses):.1f} {max(pauses, default=0):.1f}"
print(f"{pause_ms:.1f} {floor_ms:.1f} {fork_usec} {bgsave_ms:.0f} {load_ms:.0f} {gc}")
PY
}

echo "building RedisPanel.Server (Release)..." >&2
dotnet build "$ROOT/src/RedisPanel.Server" -c Release -v quiet -nologo >/dev/null
dotnet build "$ROOT/tools/gc-pause-log" -c Release -v quiet -nologo >/dev/null

rport=$(free_port)
mkdir -p "$WORK/redis" "$WORK/ours"
redis-server --port "$rport" --bind 127.0.0.1 --save "" --appendonly no --daemonize no --dir "$WORK/redis" \
    --enable-debug-command yes >"$WORK/redis.log" 2>&1 &
rpid=$!; PIDS+=("$rpid")
oport=$(free_port)
: > "$WORK/gc-pauses.log"
DOTNET_STARTUP_HOOKS="$GC_HOOK_DLL" GC_PAUSE_LOG="$WORK/gc-pauses.log" dotnet "$SERVER_DLL" --port "$oport" --save "" --appendonly no --dir "$WORK/ours" >"$WORK/ours.log" 2>&1 &
opid=$!; PIDS+=("$opid")
wait_ping "$rport"; wait_ping "$oport"

for side in redis ours; do
    port=$rport; [ "$side" = ours ] && port=$oport
    redis-cli -p "$port" --pipe < "$WORK/data.resp" >"$WORK/pipe-$side.log"
    grep -q 'errors: 0' "$WORK/pipe-$side.log" || { cat "$WORK/pipe-$side.log" >&2; exit 1; }
done
echo "keys: redis $(redis-cli -p "$rport" dbsize), ours $(redis-cli -p "$oport" dbsize) ($DATA); loadavg $(cut -d' ' -f1-3 /proc/loadavg)"

printf '%-6s %5s | %10s %10s %16s | %10s | %9s | %9s %11s %9s\n' side round "pause ms" "floor ms" "latest_fork_us" \
    "bgsave ms" "load ms" "gc pauses" "gc total ms" "gc max ms"
for round in $(seq 1 "$ROUNDS"); do
    for side in ours redis; do
        port=$rport; gclog=""; [ "$side" = ours ] && port=$oport && gclog="$WORK/gc-pauses.log"
        read -r pause floor fork bgsave load gcn gctotal gcmax < <(measure "$port" "$gclog")
        printf '%-6s %5d | %10s %10s %16s | %10s | %9s | %9s %11s %9s\n' "$side" "$round" "$pause" "$floor" "$fork" \
            "$bgsave" "$load" "$gcn" "$gctotal" "$gcmax"
        echo "$side $pause $floor $fork $bgsave $load $gcn $gctotal $gcmax" >> "$WORK/results"
    done
done

python3 - "$WORK/results" <<'PY'
import sys, statistics
rows = [l.split() for l in open(sys.argv[1])]
med = {side: [statistics.median(float(r[i]) for r in rows if r[0] == side) for i in range(1, 6)] for side in ("ours", "redis")}
o, r = med["ours"], med["redis"]
print(f"median ours : pause {o[0]:.1f} ms (floor {o[1]:.1f}), snapshot {o[2]/1000:.2f} ms, bgsave {o[3]:.0f} ms, load {o[4]:.0f} ms")
print(f"median redis: pause {r[0]:.1f} ms (floor {r[1]:.1f}), fork {r[2]/1000:.2f} ms, bgsave {r[3]:.0f} ms, load {r[4]:.0f} ms")
print(f"ratios ours/redis: bgsave {o[3]/r[3]:.2f}x, load {o[4]/r[4]:.2f}x; longest pause ours {max(float(x[1]) for x in rows if x[0]=='ours'):.1f} ms")
gc = [r for r in rows if r[0] == "ours"]
print(f"GC pauses of ours during BGSAVE: {sum(int(r[6]) for r in gc)} in {len(gc)} saves, {sum(float(r[7]) for r in gc):.1f} ms in all, longest {max(float(r[8]) for r in gc):.1f} ms")
PY
echo "loadavg at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
