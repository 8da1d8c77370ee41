#!/usr/bin/env bash
# The rehab suite (seed 004's run_tests.sh) on loadproof:
#   suites/rehab/scripts/run_tests.sh smoke|load|pipeline|all|setup|cleanup|help
# Checks what it needs before it starts (Node.js, the installed packages; then, in run.ts, the
# service, the token and the database) and says what to do when something is missing.
# Exit codes: 0 GO, 3 NO-GO, 2 a prerequisite or an argument is wrong, 1 unexpected failure.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"

command="${1:-all}"
case "$command" in
  smoke|load|pipeline|all|setup|cleanup|help|-h|--help) ;;
  *)
    echo "run_tests.sh: unknown command \"$command\" (expected smoke, load, pipeline, all, setup, cleanup or help)" >&2
    exit 2 ;;
esac

if ! command -v node >/dev/null 2>&1; then
  echo "run_tests.sh: Node.js is not installed: install Node.js 20.19 or newer" >&2
  exit 2
fi
if ! node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)'; then
  echo "run_tests.sh: Node.js $(node --version) is too old: loadproof needs 20.19 or newer" >&2
  exit 2
fi
if [ ! -d "$root/node_modules/tsx" ]; then
  echo "run_tests.sh: the packages are not installed: run \`npm install\` in $root" >&2
  exit 2
fi

cd "$root" || exit 1
exec node --import tsx suites/rehab/run.ts "$command"
