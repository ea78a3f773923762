#!/usr/bin/env bash
# Runs every test of NewsPush on this machine: installs what the tests need and is missing
# (Debian packages, npm test peers, the dotnet-ef tool), then `dotnet test NewsPush.sln`.
# The test fixtures start their own PostgreSQL, Redis, SMTP server and headless Chromium on free
# loopback ports and stop them. Under CI=true a service that cannot be installed is a failure, never a skip.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\n== %s\n' "$*"; }
fail() { printf '\nFAILED: %s\n' "$*" >&2; exit 1; }

need_apt=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need_apt+=(postgresql)
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
[ -x /usr/bin/redis-server ] || need_apt+=(redis-server)
command -v node >/dev/null 2>&1 || need_apt+=(nodejs npm)
python3 -c 'import feedparser' >/dev/null 2>&1 || need_apt+=(python3-feedparser)
if [ ${#need_apt[@]} -gt 0 ]; then
  say "Installing Debian packages: ${need_apt[*]}"
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq || fail "apt-get update failed; the tests need: ${need_apt[*]}"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null \
    || fail "could not install ${need_apt[*]} (needed by the PostgreSQL, two-node, browser and feed tests)"
fi
# Debian starts a cluster of its own on install; the tests use their own servers on free ports.
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || fail "PostgreSQL server binaries are missing after install"
command -v chromium >/dev/null 2>&1 || fail "chromium is missing after install (browser tests need /usr/bin/chromium)"
[ -x /usr/bin/redis-server ] || fail "redis-server is missing after install (the two-node tests need /usr/bin/redis-server)"

say "Installing npm test peers (smtp-server, web-push, axe-core)"
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; then
  npm ci --silent --no-audit --no-fund || fail "npm ci failed"
fi

say "Restoring tools and building"
dotnet tool restore >/dev/null
dotnet build NewsPush.sln -c Debug -nologo -v q -clp:ErrorsOnly || fail "build failed"

say "Checking the SQL Server migration set produces a script"
dotnet ef migrations script --idempotent --no-build --project NewsPush.Data --startup-project NewsPush.Web \
  --context SqlServerNewsPushDbContext --output artifacts/sqlserver-migrations.sql >/dev/null \
  || fail "SQL Server migration script could not be generated"
grep -q 'CREATE TABLE \[Articles\]' artifacts/sqlserver-migrations.sql || fail "SQL Server script lacks the Articles table"

# run_tests RESULTS_DIR [dotnet test options]: sets $status to dotnet test's exit code.
run_tests() {
  local results=$1; shift
  set +e
  dotnet test NewsPush.sln --no-build -nologo --results-directory "$results" \
    --logger "trx;LogFileName=results.trx" --logger "console;verbosity=normal" "$@"
  status=$?
  set -e
}

say "Running tests"
rm -rf TestResults
run_tests TestResults "$@"

python3 scripts/test-report.py TestResults TestResults/failed.txt

# A test that fails once and passes when run again alone is reported as flaky, loudly, by name; the run
# still passes. More than three failures, or a failure that repeats, fails the run.
failed_count=$(wc -l < TestResults/failed.txt)
if [ "$status" -ne 0 ] && [ "$failed_count" -ge 1 ] && [ "$failed_count" -le 3 ] && [ "$#" -eq 0 ]; then
  filter=$(sed 's/^/FullyQualifiedName=/' TestResults/failed.txt | paste -sd '|')
  say "Running the $failed_count failed test(s) again, alone, to tell a flaky test from a broken one"
  run_tests TestResults/rerun --filter "$filter"
  python3 scripts/test-report.py TestResults/rerun
  if [ "$status" -eq 0 ]; then
    printf '\nFLAKY (failed once, then passed alone): %s\n' "$(paste -sd ' ' TestResults/failed.txt)"
  fi
fi
if [ "$status" -ne 0 ]; then fail "dotnet test exited with $status"; fi
