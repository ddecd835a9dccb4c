#!/usr/bin/env bash
# Measures resident memory of our node (RedisPanel.Server, Release) against a real redis-server 7.0 holding the
# same data: for each type (string, list, hash, set, zset) both servers start fresh on free loopback ports,
# 1,000,000 small keys of that type are loaded through `redis-cli --pipe`, both get MEMORY PURGE (a full
# compacting GC that decommits free memory and a malloc_trim of the native heap on ours; jemalloc's purge on
# redis), and VmRSS is read from
# /proc/<pid>/status. Prints RSS before/after and the ratio ours/redis of the growth (the data's cost) and of
# the total. Both servers are killed by their own PIDs.
#
# usage: tools/measure-memory.sh [keys-per-type (default 1000000)] [types (default "string list hash set zset")]
set -euo pipefail

KEYS=${1:-1000000}
TYPES=${2:-"string list hash set zset"}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d /tmp/redispanel-memory.XXXXXX)
# shellcheck source=tools/measure-common.sh
. "$ROOT/tools/measure-common.sh"

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }

wait_dbsize() { # port expected
    for _ in $(seq 1 600); do
        [ "$(redis-cli -p "$1" dbsize 2>/dev/null)" = "$2" ] && return 0
        sleep 0.1
    done
    echo "port $1: DBSIZE never reached $2 (got $(redis-cli -p "$1" dbsize))" >&2
    return 1
}

# RESP for KEYS commands of one type: small keys, small values, a few elements per collection.
generate() { # type file
    python3 - "$1" "$KEYS" > "$2" <<'PY'
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
    if kind == "string": buf.append(cmd("SET", f"s:{i}", f"value:{i}"))
    elif kind == "list": buf.append(cmd("RPUSH", f"l:{i}", "a", "b", "c"))
    elif kind == "hash": buf.append(cmd("HSET", f"h:{i}", "f1", "v1", "f2", "v2"))
    elif kind == "set": buf.append(cmd("SADD", f"t:{i}", "a", "b", "c"))
    elif kind == "zset": buf.append(cmd("ZADD", f"z:{i}", 1, "a", 2, "b", 3, "c"))
    if len(buf) == 10000:
        out.write(b"".join(buf)); buf = []
out.write(b"".join(buf))
PY
}

echo "building RedisPanel.Server (Release)..." >&2
dotnet build "$ROOT/src/RedisPanel.Server" -c Release -v quiet -nologo >/dev/null

printf '%-7s %10s | %12s %12s %10s | %12s %12s %10s | %7s %7s\n' type keys "redis base" "redis total" "redis +" "ours base" "ours total" "ours +" "ratio+" "ratio"
for type in $TYPES; do
    generate "$type" "$WORK/$type.resp"

    rport=$(free_port)
    redis-server --port "$rport" --bind 127.0.0.1 --save "" --appendonly no --daemonize no --dir "$WORK" >"$WORK/redis-$type.log" 2>&1 &
    rpid=$!; PIDS+=("$rpid")
    oport=$(free_port)
    dotnet "$SERVER_DLL" --port "$oport" --save "" --dir "$WORK" >"$WORK/ours-$type.log" 2>&1 &
    opid=$!; PIDS+=("$opid")
    wait_ping "$rport"; wait_ping "$oport"

    redis-cli -p "$rport" memory purge >/dev/null; redis-cli -p "$oport" memory purge >/dev/null
    rbase=$(rss_kb "$rpid"); obase=$(rss_kb "$opid")

    redis-cli -p "$rport" --pipe < "$WORK/$type.resp" >"$WORK/pipe-redis-$type.log"
    redis-cli -p "$oport" --pipe < "$WORK/$type.resp" >"$WORK/pipe-ours-$type.log"
    grep -q 'errors: 0' "$WORK/pipe-redis-$type.log" || { cat "$WORK/pipe-redis-$type.log" >&2; exit 1; }
    grep -q 'errors: 0' "$WORK/pipe-ours-$type.log" || { cat "$WORK/pipe-ours-$type.log" >&2; exit 1; }
    wait_dbsize "$rport" "$KEYS"; wait_dbsize "$oport" "$KEYS"

    # Settle: purge, give background threads (our tiered JIT, GC) a moment, purge again, then read RSS.
    redis-cli -p "$rport" memory purge >/dev/null; redis-cli -p "$oport" memory purge >/dev/null
    sleep 2
    redis-cli -p "$rport" memory purge >/dev/null; redis-cli -p "$oport" memory purge >/dev/null
    rtotal=$(rss_kb "$rpid"); ototal=$(rss_kb "$opid")
    encoding_redis=$(redis-cli -p "$rport" object encoding "$(redis-cli -p "$rport" randomkey)")
    encoding_ours=$(redis-cli -p "$oport" object encoding "$(redis-cli -p "$oport" randomkey)")

    rdelta=$((rtotal - rbase)); odelta=$((ototal - obase))
    printf '%-7s %10d | %9d KB %9d KB %7d KB | %9d KB %9d KB %7d KB | %7s %7s  (%s / %s)\n' \
        "$type" "$KEYS" "$rbase" "$rtotal" "$rdelta" "$obase" "$ototal" "$odelta" \
        "$(awk -v a="$odelta" -v b="$rdelta" 'BEGIN{printf "%.2f", a/b}')" \
        "$(awk -v a="$ototal" -v b="$rtotal" 'BEGIN{printf "%.2f", a/b}')" "$encoding_redis" "$encoding_ours"

    kill "$rpid" "$opid"; wait "$rpid" 2>/dev/null || true; wait "$opid" 2>/dev/null || true
    PIDS=()
    rm -f "$WORK/$type.resp"
done
