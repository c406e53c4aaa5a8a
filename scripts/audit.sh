#!/usr/bin/env bash
# `make audit`: look up every installed Python package in a vulnerability database (pip-audit).
#
# pip-audit asks a service about each package and version: PyPI's JSON API by default
# (https://pypi.org/pypi/NAME/VERSION/json, which carries the advisories), or OSV with
# AUDIT_SERVICE=osv. On a machine that reaches only a package mirror, which answers package
# downloads but not that API, nothing can be audited: the script says so and exits 0, or 1
# with AUDIT_REQUIRED=1. Where the service answers, any finding (or any package it could not
# look up, --strict) fails.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
service=${AUDIT_SERVICE:-pypi}

if [ "$service" = pypi ]; then
  probe_url="https://pypi.org/pypi/django/$("$BIN/python" -c 'import django; print(django.__version__)')/json"
else
  probe_url="https://api.osv.dev/v1/query"
fi
if ! "$BIN/python" - "$probe_url" <<'PY'
import json, sys, urllib.request

url = sys.argv[1]
data = None
if "osv.dev" in url:
    data = json.dumps({"package": {"name": "django", "ecosystem": "PyPI"}, "version": "5.2"}).encode()
try:
    with urllib.request.urlopen(urllib.request.Request(url, data=data), timeout=15) as answer:
        json.load(answer)
except Exception as exc:  # any failure means: no service here
    print(f"{url}: {exc}", file=sys.stderr)
    sys.exit(1)
PY
then
  echo "pip-audit: not run: the vulnerability service ($service) does not answer from this machine"
  echo "(see README, Testing: audits). bandit runs in make test; run make audit where the network allows."
  [ "${AUDIT_REQUIRED:-0}" = 1 ] && exit 1
  exit 0
fi
exec "$BIN/pip-audit" --strict --skip-editable --vulnerability-service "$service" --progress-spinner off
