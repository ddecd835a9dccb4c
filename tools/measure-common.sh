# Shared by tools/measure-memory.sh and tools/measure-snapshot.sh (sourced, not run): where the Release server is,
# a work dir removed at exit, servers killed by their own PIDs at exit, free loopback ports, waiting for PONG.
# The sourcing script sets ROOT and WORK first and appends every server it starts to PIDS.
SERVER_DLL="$ROOT/src/RedisPanel.Server/bin/Release/net10.0/RedisPanel.Server.dll"
PIDS=()

cleanup() {
    for pid in "${PIDS[@]:-}"; do
        [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
    done
    rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

wait_ping() { # port
    for _ in $(seq 1 300); do
        [ "$(redis-cli -p "$1" ping 2>/dev/null)" = "PONG" ] && return 0
        sleep 0.1
    done
    echo "server on port $1 did not answer PING" >&2
    return 1
}
