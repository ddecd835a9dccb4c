#!/usr/bin/env bash
# measure-psync.sh - repeats compare.sh repl's "partial resync" check (section 4 of
# /work/shared/bench/compare.sh) N times against a RedisPanel pair and a redis-server pair, alternately, and
# prints median / p90 of each; then a breakdown per pair (separate samples, polled fast over raw sockets):
#   reconnect  = CLIENT KILL -> the master served +CONTINUE (its sync_partial_ok went up)
#   bench      = duration of the 10k-SET redis-benchmark itself (10 clients, replica attached)
#   catch-up   = end of the benchmark -> replica's slave_repl_offset == master's master_repl_offset
#
# The timed sample is exactly compare.sh's: CLIENT KILL TYPE replica on the master, t0, the benchmark in the
# foreground, then every 50 ms (redis-cli spawns: INFO replication on the replica, master_repl_offset on the
# master, DBSIZE on both) until the link is up, the offsets are equal and the DBSIZEs too; t1 - t0.
#
# Usage: tools/measure-psync.sh [-n N] [-b M] [--keys K] [--base PORT]
#          [--ports CAND_MASTER CAND_REPLICA REF_MASTER REF_REPLICA]
#   -n N        timed samples per pair (default 10), order flipped every round (C R, R C, ...)
#   -b M        breakdown samples per pair (default 5; 0 = none)
#   --keys K    keys loaded into each master first (default 0; compare.sh has 1M loaded by then)
#   --base P    start the four servers on P..P+3 (default 25100) in temp dirs and stop them at the end
#   --ports ... use four running servers instead (replicas already replicating from their masters)
# Env: SERVER_DLL (default src/RedisPanel.Server/bin/Release/net10.0/RedisPanel.Server.dll, build it first).
set -uo pipefail
export LC_ALL=C

N=10; B=5; KEYS=0; BASE=25100; PORTS=(); VALUE_SIZE=100
SERVER_DLL=${SERVER_DLL:-src/RedisPanel.Server/bin/Release/net10.0/RedisPanel.Server.dll}
while (( $# )); do
  case $1 in
    -n) N=$2; shift ;;
    -b) B=$2; shift ;;
    --keys) KEYS=$2; shift ;;
    --base) BASE=$2; shift ;;
    --ports) PORTS=("$2" "$3" "$4" "$5"); shift 4 ;;
    -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done

rcli() { local p=$1; shift; timeout 20 redis-cli -h 127.0.0.1 -p "$p" "$@" 2>/dev/null | tr -d '\r'; }
info_field() { rcli "$1" INFO "$2" | awk -F: -v f="$3" '$1==f {print $2; exit}'; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.3f", b-a}'; }
stats() { # numbers on stdin -> "median p90 min max (n)"
  sort -g | awk '{a[NR]=$1} END {
    if (NR == 0) { print "NA"; exit }
    med = (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2
    i = int(0.9 * NR + 0.999999); if (i < 1) i = 1
    printf "median %.3f  p90 %.3f  min %.3f  max %.3f  (n=%d)", med, a[i], a[1], a[NR], NR }'
}

PIDS=(); DIRS=()
cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
  (( ${#DIRS[@]} )) && rm -rf "${DIRS[@]}"
}
trap cleanup EXIT

wait_ping() { local i; for (( i = 0; i < 300; i++ )); do [[ $(rcli "$1" PING) == PONG ]] && return 0; sleep 0.1; done; return 1; }
wait_synced() { # MPORT RPORT
  local i body ro mo
  for (( i = 0; i < 600; i++ )); do
    body=$(rcli "$2" INFO replication)
    if [[ $body == *master_link_status:up* ]]; then
      ro=$(awk -F: '$1=="slave_repl_offset"{print $2}' <<<"$body")
      mo=$(info_field "$1" replication master_repl_offset)
      [[ -n $ro && $ro == "$mo" ]] && return 0
    fi
    sleep 0.1
  done
  return 1
}

if (( ${#PORTS[@]} == 0 )); then
  CM=$BASE; CR=$((BASE + 1)); RM=$((BASE + 2)); RR=$((BASE + 3))
  [[ -f $SERVER_DLL ]] || { echo "build first: $SERVER_DLL missing" >&2; exit 2; }
  for i in 1 2 3 4; do DIRS+=("$(mktemp -d /tmp/measure-psync.XXXXXX)"); done
  dotnet "$SERVER_DLL" --port "$CM" --save "" --appendonly no --dir "${DIRS[0]}" >"${DIRS[0]}/log" 2>&1 & PIDS+=($!)
  dotnet "$SERVER_DLL" --port "$CR" --save "" --appendonly no --dir "${DIRS[1]}" --replicaof 127.0.0.1 "$CM" >"${DIRS[1]}/log" 2>&1 & PIDS+=($!)
  redis-server --port "$RM" --bind 127.0.0.1 --save "" --appendonly no --dir "${DIRS[2]}" --daemonize no >"${DIRS[2]}/log" 2>&1 & PIDS+=($!)
  redis-server --port "$RR" --bind 127.0.0.1 --save "" --appendonly no --dir "${DIRS[3]}" --daemonize no --replicaof 127.0.0.1 "$RM" >"${DIRS[3]}/log" 2>&1 & PIDS+=($!)
  for p in "$CM" "$CR" "$RM" "$RR"; do wait_ping "$p" || { echo "server on :$p did not start" >&2; exit 1; }; done
  # compare.sh zeroes the diskless delay so the first full sync is quick.
  rcli "$CM" CONFIG SET repl-diskless-sync-delay 0 >/dev/null; rcli "$RM" CONFIG SET repl-diskless-sync-delay 0 >/dev/null
else
  CM=${PORTS[0]##*:}; CR=${PORTS[1]##*:}; RM=${PORTS[2]##*:}; RR=${PORTS[3]##*:}
fi
declare -A MP=([C]=$CM [R]=$RM) RP=([C]=$CR [R]=$RR) NAME=([C]=ours [R]=redis)

if (( KEYS > 0 )); then
  for s in C R; do
    awk -v n="$KEYS" -v vs="$VALUE_SIZE" 'BEGIN { v = ""; for (j = 0; j < vs; j++) v = v "x"
      for (i = 0; i < n; i++) { k = sprintf("key:%012d", i)
        printf "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n", length(k), k, vs, v } }' \
      | redis-cli -h 127.0.0.1 -p "${MP[$s]}" --pipe >/dev/null 2>&1
  done
fi
for s in C R; do wait_synced "${MP[$s]}" "${RP[$s]}" || { echo "${NAME[$s]} replica never caught up" >&2; exit 1; }; done
# Warm-up (JIT, connection pools): one write load with the replica attached, as compare.sh's lag rounds are.
for s in C R; do
  redis-benchmark -h 127.0.0.1 -p "${MP[$s]}" -c 50 -n 100000 -r 100000 -d "$VALUE_SIZE" -q -t set >/dev/null 2>&1
  wait_synced "${MP[$s]}" "${RP[$s]}"
done

bench() { # MPORT -> the benchmark of compare.sh section 4
  redis-benchmark -h 127.0.0.1 -p "$1" -c 10 -n 10000 -r 10000 -d "$VALUE_SIZE" -q \
    SET psync:__rand_int__ x >/dev/null 2>&1
}

# One timed sample, exactly compare.sh's; prints seconds and "kind" (partial/FULL)
sample() { # S
  local s=$1 mp=${MP[$1]} rp=${RP[$1]} k t0 t1=NA deadline body ro mo md rd f0 p0 f1 p1 kind
  f0=$(info_field "$mp" stats sync_full); p0=$(info_field "$mp" stats sync_partial_ok)
  k=$(rcli "$mp" CLIENT KILL TYPE replica)
  [[ $k =~ ^[0-9]+$ ]] && (( k > 0 )) || { echo "NA killed-nothing"; return; }
  t0=$EPOCHREALTIME
  bench "$mp"
  deadline=$(( SECONDS + 60 ))
  while (( SECONDS < deadline )); do
    body=$(rcli "$rp" INFO replication)
    if [[ $(awk -F: '$1=="master_link_status"{print $2}' <<<"$body") == up ]]; then
      ro=$(awk -F: '$1=="slave_repl_offset"{print $2}' <<<"$body")
      mo=$(info_field "$mp" replication master_repl_offset)
      md=$(rcli "$mp" DBSIZE); rd=$(rcli "$rp" DBSIZE)
      if [[ -n $ro && $ro == "$mo" && $md == "$rd" ]]; then t1=$(secs "$t0" "$EPOCHREALTIME"); break; fi
    fi
    sleep 0.05
  done
  f1=$(info_field "$mp" stats sync_full); p1=$(info_field "$mp" stats sync_partial_ok)
  kind=unknown
  (( p1 > p0 && f1 == f0 )) && kind=partial
  (( f1 > f0 )) && kind=FULL
  echo "$t1 $kind"
}

# raw RESP INFO over /dev/tcp (no process spawn): sets BODY
resp_info() { # FD SECTION
  local hdr len
  "$PRINTF_BIN" '*2\r\n$4\r\nINFO\r\n$%d\r\n%s\r\n' "${#2}" "$2" >&"$1" || return 1
  IFS= read -r -t 5 -u "$1" hdr || return 1
  hdr=${hdr%$'\r'}; len=${hdr#\$}
  IFS= read -r -t 5 -N $((len + 2)) -u "$1" BODY || return 1
}
PRINTF_BIN=$(type -P printf)
field() { [[ $BODY =~ (^|$'\n')$1:([^$'\r']*) ]] && echo "${BASH_REMATCH[2]}"; }

# One breakdown sample: prints "reconnect bench catchup" in seconds
breakdown() { # S
  local s=$1 mp=${MP[$1]} rp=${RP[$1]} mfd rfd p0 p t0 tb0 tb1=0 tcont=NA tcatch=NA bpid mo ro now start=$SECONDS
  exec {mfd}<>"/dev/tcp/127.0.0.1/$mp" {rfd}<>"/dev/tcp/127.0.0.1/$rp"
  resp_info "$mfd" stats; p0=$(field sync_partial_ok)
  t0=$EPOCHREALTIME  # reconnect is timed from before the kill (the replica may be back before redis-cli exits)
  rcli "$mp" CLIENT KILL TYPE replica >/dev/null
  tb0=$EPOCHREALTIME
  bench "$mp" & bpid=$!
  while :; do
    now=$EPOCHREALTIME
    if [[ $tcont == NA ]]; then
      resp_info "$mfd" stats; p=$(field sync_partial_ok)
      [[ -n $p ]] && (( p > p0 )) && tcont=$(secs "$t0" "$now")
    fi
    if (( tb1 == 0 )) && ! kill -0 "$bpid" 2>/dev/null; then tb1=$EPOCHREALTIME; fi
    if [[ $tb1 != 0 && $tcont != NA ]]; then
      resp_info "$rfd" replication; ro=$(field slave_repl_offset)
      resp_info "$mfd" replication; mo=$(field master_repl_offset)
      if [[ -n $ro && $ro == "$mo" ]]; then tcatch=$(secs "$tb1" "$EPOCHREALTIME"); break; fi
    fi
    (( SECONDS - start > 60 )) && break
  done
  wait "$bpid" 2>/dev/null
  exec {mfd}>&- {rfd}>&-
  echo "$tcont $(secs "$tb0" "$tb1") $tcatch"
}

echo "measure-psync: ours :$CM -> :$CR   redis :$RM -> :$RR   N=$N breakdown=$B keys=$KEYS nproc=$(nproc) loadavg=$(cut -d' ' -f1-3 /proc/loadavg)"
declare -A T
for (( r = 1; r <= N; r++ )); do
  order="C R"; (( r % 2 == 0 )) && order="R C"
  for s in $order; do
    wait_synced "${MP[$s]}" "${RP[$s]}"
    read -r t kind <<<"$(sample "$s")"
    T[$s]+="$t "
    echo "round $r ${NAME[$s]}: $t s ($kind)"
  done
done
declare -A RC BN CU
for (( r = 1; r <= B; r++ )); do
  order="C R"; (( r % 2 == 0 )) && order="R C"
  for s in $order; do
    wait_synced "${MP[$s]}" "${RP[$s]}"
    read -r a b c <<<"$(breakdown "$s")"
    RC[$s]+="$a "; BN[$s]+="$b "; CU[$s]+="$c "
    echo "breakdown $r ${NAME[$s]}: reconnect $a s, bench $b s, catch-up $c s"
  done
done
echo
for s in C R; do
  printf '%-6s partial resync: %s\n' "${NAME[$s]}" "$(tr ' ' '\n' <<<"${T[$s]}" | grep -E '^[0-9.]+$' | stats)"
done
if (( B > 0 )); then
  for s in C R; do
    printf '%-6s reconnect->+CONTINUE: %s\n' "${NAME[$s]}" "$(tr ' ' '\n' <<<"${RC[$s]}" | grep -E '^[0-9.]+$' | stats)"
    printf '%-6s benchmark:           %s\n' "${NAME[$s]}" "$(tr ' ' '\n' <<<"${BN[$s]}" | grep -E '^[0-9.]+$' | stats)"
    printf '%-6s catch-up:            %s\n' "${NAME[$s]}" "$(tr ' ' '\n' <<<"${CU[$s]}" | grep -E '^[0-9.]+$' | stats)"
  done
fi
echo "loadavg now $(cut -d' ' -f1-3 /proc/loadavg)"
