#!/usr/bin/env bash
# A local Ralph LRS (ralph-malph, file-system backend) for the xAPI tests.
#   scripts/ralph.sh install        the pinned ralph-malph into its own virtualenv
#   scripts/ralph.sh serve DIR PORT  write DIR/auth.json (user "vhcv", password
#                                    "vhcv-test") and serve on 127.0.0.1:PORT,
#                                    statements kept under DIR/statements
# The virtualenv is RALPH_VENV (.ci/work/ralph-venv, git-ignored); tests/xapi starts
# `serve` itself when the virtualenv is there.
set -euo pipefail
cd "$(dirname "$0")/.."
RALPH_VERSION=5.1.0
REQUESTS_VERSION=2.32.3  # ralph imports it (OIDC auth) without requiring it
RALPH_VENV=$(realpath -m "${RALPH_VENV:-.ci/work/ralph-venv}")
PYTHON=${PYTHON:-python3}

install() {
  if "$RALPH_VENV/bin/ralph" --version 2>/dev/null | grep -q "$RALPH_VERSION" \
    && "$RALPH_VENV/bin/python" -c "import requests" 2>/dev/null; then
    return 0
  fi
  test -x "$RALPH_VENV/bin/python" || "$PYTHON" -m venv "$RALPH_VENV"
  "$RALPH_VENV/bin/pip" install --quiet --disable-pip-version-check \
    "ralph-malph[cli,lrs]==$RALPH_VERSION" "requests==$REQUESTS_VERSION"
}

serve() {
  local dir=$1 port=$2
  mkdir -p "$dir/statements"
  export RALPH_RUNSERVER_BACKEND=fs
  export RALPH_AUTH_FILE="$dir/auth.json"
  export RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH="$dir/statements"
  export RALPH_APP_DIR="$dir/app"
  export RALPH_HISTORY_FILE="$dir/history.json"
  if [ ! -s "$RALPH_AUTH_FILE" ]; then
    "$RALPH_VENV/bin/ralph" auth -u vhcv -p vhcv-test -s all \
      -A vhcv http://127.0.0.1 -w >/dev/null 2>&1
  fi
  # uvicorn itself rather than `ralph runserver`, which reloads on file changes.
  # Ralph's file-system LRS backend writes every POST with the operation "create"
  # to one file (fs_lrs.jsonl), so that a second POST fails ("already exists",
  # HTTP 500); it is served here with "append", its own other mode.
  cd "$dir"
  exec "$RALPH_VENV/bin/python" -c '
import sys
import uvicorn
from ralph.backends.data.base import BaseOperationType
from ralph.backends.lrs.fs import FSLRSBackend
FSLRSBackend.default_operation_type = BaseOperationType.APPEND
from ralph.api import app
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), access_log=False)
' "$port"
}

case "${1:-}" in
  install) install ;;
  serve) serve "$2" "$3" ;;
  *) echo "usage: $0 install | serve DIR PORT" >&2; exit 2 ;;
esac
