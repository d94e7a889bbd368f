#!/usr/bin/env bash
# pg-test-cluster.sh - a throw-away PostgreSQL cluster for the tests.
#
#   pg-test-cluster.sh start STATE   initdb + pg_ctl start in a new temporary
#                                    folder; writes the cluster's folder and its
#                                    connection URI to the file STATE and prints
#                                    the URI
#   pg-test-cluster.sh stop STATE    stops the cluster of STATE (immediate) and
#                                    removes its folder and STATE
#   pg-test-cluster.sh restart STATE stops the server with `-m immediate` (a
#                                    crash) and starts it again on the same port
#
# With VS_TEST_PG_URI set, start only writes that URI to STATE (and stop only
# removes STATE): the tests then use that server.
#
# Debian's postgresql-15 server binaries (/usr/lib/postgresql/15/bin, or
# $VS_PG_BIN), run as an unprivileged user (initdb refuses root: as root the
# system user vaxsync-test is created when missing), on a free port, listening
# on 127.0.0.1 and a unix socket in the temporary folder only, trust
# authentication for the role `vaxsync` (nothing else can reach it). No
# system service, nothing left behind after stop.
set -euo pipefail

bin=${VS_PG_BIN:-/usr/lib/postgresql/15/bin}
cmd=${1:-}
state=${2:-}
[ -n "$cmd" ] && [ -n "$state" ] || {
	echo "usage: $0 start|stop|restart STATE_FILE" >&2
	exit 2
}

# as_user CMD...: runs CMD as the cluster's owner
as_user() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u vaxsync-test -- "$@"
	else
		"$@"
	fi
}

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

server_start() { # dir port
	as_user "$bin/pg_ctl" -D "$1/data" -l "$1/server.log" -w -t 60 \
		-o "-p $2 -k $1/sock -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off \
-c max_connections=60 -c shared_buffers=64MB" start >/dev/null
}

case "$cmd" in
start)
	[ -f "$state" ] && bash "$0" stop "$state" # a cluster a killed run left
	if [ -n "${VS_TEST_PG_URI:-}" ]; then     # a server given from outside: start nothing
		printf 'uri=%s\n' "$VS_TEST_PG_URI" >"$state"
		echo "$VS_TEST_PG_URI"
		exit 0
	fi
	[ -x "$bin/initdb" ] || {
		echo "pg-test-cluster: no $bin/initdb (install postgresql-15: bash scripts/install-deps.sh)" >&2
		exit 1
	}
	if [ "$(id -u)" -eq 0 ] && ! id vaxsync-test >/dev/null 2>&1; then
		useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin vaxsync-test
	fi
	dir=$(mktemp -d "${TMPDIR:-/tmp}/vs-pg.XXXXXX")
	chmod 0755 "$dir"
	mkdir -p "$dir/sock"
	[ "$(id -u)" -eq 0 ] && chown -R vaxsync-test: "$dir"
	if ! as_user "$bin/initdb" -D "$dir/data" -U vaxsync -A trust -E UTF8 --locale=C --no-sync \
		>"$dir/initdb.log" 2>&1; then
		cat "$dir/initdb.log" >&2
		rm -rf "$dir"
		exit 1
	fi
	ok=0
	for _ in 1 2 3 4 5; do # a port found free may be taken before the server binds it
		port=$(free_port)
		if server_start "$dir" "$port"; then
			ok=1
			break
		fi
	done
	if [ $ok -ne 1 ]; then
		cat "$dir/server.log" >&2 || true
		rm -rf "$dir"
		exit 1
	fi
	uri="postgresql://vaxsync@/postgres?host=$dir/sock&port=$port"
	printf 'dir=%s\nport=%s\nuri=%s\n' "$dir" "$port" "$uri" >"$state"
	echo "$uri"
	;;
stop)
	[ -f "$state" ] || exit 0
	dir=$(sed -n 's/^dir=//p' "$state")
	if [ -n "$dir" ] && [ -d "$dir/data" ]; then
		as_user "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
	fi
	case "$dir" in */vs-pg.*) rm -rf "$dir" ;; esac
	rm -f "$state"
	;;
restart)
	dir=$(sed -n 's/^dir=//p' "$state")
	port=$(sed -n 's/^port=//p' "$state")
	as_user "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null
	server_start "$dir" "$port"
	;;
*)
	echo "usage: $0 start|stop|restart STATE_FILE" >&2
	exit 2
	;;
esac
