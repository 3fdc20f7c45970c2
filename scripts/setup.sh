#!/usr/bin/env bash
# Sets up a fresh machine for Chariots development: pnpm, redis-server (for the worker tests),
# PostgreSQL (for the PostgreSQL store's tests; Debian's postgresql package), chromium (for the
# dashboard's browser tests), the workspace's dependencies from the lockfile, and a build of every
# package. --no-redis skips redis-server and PostgreSQL (the example app runs without them).
set -euo pipefail
cd "$(dirname "$0")/.."
PNPM_VERSION=10.34.9
export TURBO_TELEMETRY_DISABLED=1

if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version)" != "$PNPM_VERSION" ]; then
  echo "setup: installing pnpm@$PNPM_VERSION"
  npm i -g "pnpm@$PNPM_VERSION" >/dev/null
fi

want_redis=1
[ "${1:-}" = "--no-redis" ] && want_redis=0
if [ "$want_redis" = "1" ] && ! command -v redis-server >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing redis-server (Debian)"
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
  else
    echo "setup: redis-server is missing; the Redis worker tests need it (apt-get install redis-server)" >&2
  fi
fi

# The PostgreSQL store's tests start their own servers from Debian's binaries (startPostgres).
if [ "$want_redis" = "1" ] && ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing postgresql (Debian)"
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql iproute2 >/dev/null
  else
    echo "setup: PostgreSQL is missing; the PostgreSQL store tests need it (apt-get install postgresql)" >&2
  fi
fi

# The dashboard's end-to-end tests drive Debian's chromium (never a downloaded browser).
if ! command -v chromium >/dev/null 2>&1 && [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing chromium (Debian) for the dashboard's browser tests"
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "setup: chromium is missing; the dashboard's browser tests need it (apt-get install chromium)" >&2
  fi
fi

pnpm install --frozen-lockfile --reporter=silent
pnpm run build
