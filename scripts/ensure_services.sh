#!/usr/bin/env bash
# Make sure PostgreSQL and Redis answer on 127.0.0.1: start them when installed but stopped,
# install them with apt when missing (Debian).
set -euo pipefail

pg_up() { pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; }
redis_up() { redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; }

if ! command -v pg_ctlcluster >/dev/null 2>&1 || ! command -v redis-server >/dev/null 2>&1; then
  apt-get update -q
  apt-get install -y -q postgresql redis-server
fi

version=$(ls /etc/postgresql | sort -V | tail -n 1)
# The browser tests drive Debian's Chromium (Playwright cannot download its own here).
if ! [ -x /usr/bin/chromium ]; then
  apt-get update -q
  apt-get install -y -q chromium
fi

if ! pg_up; then
  pg_ctlcluster --skip-systemctl-redirect "$version" main start || pg_ctlcluster "$version" main start
fi
# A fresh Debian install asks for a password over TCP; the tests connect as postgres, trusted.
hba="/etc/postgresql/$version/main/pg_hba.conf"
if ! psql -h 127.0.0.1 -U postgres -w -c 'select 1' >/dev/null 2>&1 && [ -w "$hba" ]; then
  sed -i '1i host all postgres 127.0.0.1/32 trust # helpdesk-tests' "$hba"
  pg_ctlcluster --skip-systemctl-redirect "$version" main reload || pg_ctlcluster "$version" main reload
fi
for _ in $(seq 30); do pg_up && break; sleep 1; done
pg_up || { echo "PostgreSQL did not start" >&2; exit 1; }

if ! redis_up; then
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
fi
for _ in $(seq 30); do redis_up && break; sleep 1; done
redis_up || { echo "Redis did not start" >&2; exit 1; }
echo "PostgreSQL and Redis are up."

# Dovecot: the IMAP tests start an instance of their own (tests/tickets/mail_support.py, own
# config, port and Maildir); only the program is needed here, no system service.
if ! command -v dovecot >/dev/null 2>&1 && [ ! -x /usr/sbin/dovecot ]; then
  apt-get update -q
  apt-get install -y -q dovecot-imapd
fi
[ -x /usr/sbin/dovecot ] || command -v dovecot >/dev/null 2>&1 || { echo "dovecot is missing" >&2; exit 1; }
psql -h 127.0.0.1 -U postgres -w -tAc "select 1 from pg_database where datname='helpdesk'" | grep -q 1 \
  || psql -h 127.0.0.1 -U postgres -w -qc "create database helpdesk"
