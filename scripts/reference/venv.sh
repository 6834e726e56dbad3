#!/usr/bin/env bash
# Makes the gitignored virtualenv .venv with the pinned reference packages (scripts/requirements-reference.txt)
# for the reference scripts; idempotent: pip runs only when the pins changed since the last install.
set -euo pipefail
cd "$(dirname "$0")/../.."
requirements=scripts/requirements-reference.txt
stamp=.venv/installed-requirements.txt
if [ -x .venv/bin/python ] && cmp -s "$requirements" "$stamp"; then exit 0; fi
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install --quiet -r "$requirements"
cp "$requirements" "$stamp"
