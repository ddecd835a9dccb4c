#!/usr/bin/env bash
# The project's test entry point (CI runs it through .ci/run): installs the Debian packages the tests drive
# (redis-server 7.0 as the differential reference, redis-tools for redis-cli/redis-benchmark, chromium for
# the browser tests) when they are missing, then runs every test project of the solution.
set -euo pipefail

cd "$(dirname "$0")/.."

need=()
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
{ command -v redis-cli >/dev/null 2>&1 && command -v redis-benchmark >/dev/null 2>&1; } || need+=(redis-tools)
[ -x /usr/bin/chromium ] || need+=(chromium)

if [ "${#need[@]}" -gt 0 ]; then
    echo "scripts/test.sh: installing ${need[*]}"
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then SUDO="sudo -n"; fi
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq </dev/null
    $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" </dev/null
fi

# Debian's redis-server package starts a service on 6379; the tests never use it (they start their own
# servers on free ports), so it is left alone.

export DOTNET_CLI_TELEMETRY_OPTOUT=1
export DOTNET_NOLOGO=1
export DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# Release: the fuzz and benchmark smoke tests run faster, and it is what ships. The console logger at
# "minimal" prints each failure and one "Passed!/Failed!" summary line with totals per test assembly.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
dotnet test RedisPanel.sln -c Release --logger "console;verbosity=minimal" -- RunConfiguration.TestSessionTimeout=1500000 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
echo "scripts/test.sh: dotnet test exited with $status"
# One closing line over every test assembly ("Passed!  - Failed: 0, Passed: 91, Skipped: 0, ...").
awk '/(Passed|Failed)! +- +Failed:/ {
        for (i = 1; i <= NF; i++) {
            if ($i == "Failed:") { v = $(i+1); sub(",", "", v); f += v }
            if ($i == "Passed:") { v = $(i+1); sub(",", "", v); p += v }
            if ($i == "Skipped:") { v = $(i+1); sub(",", "", v); s += v }
        }
    }
    END { printf "%d passed, %d failed, %d skipped\n", p, f, s }' "$log"
exit $status
