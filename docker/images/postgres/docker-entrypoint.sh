#!/usr/bin/env bash
# The official postgres image's environment contract, without its init-script hooks:
#   POSTGRES_PASSWORD          superuser password; required unless POSTGRES_HOST_AUTH_METHOD=trust
#   POSTGRES_USER              superuser name (default postgres)
#   POSTGRES_DB                database created at initialisation (default: POSTGRES_USER)
#   PGDATA                     data directory (default /var/lib/postgresql/data)
#   POSTGRES_INITDB_ARGS       extra initdb arguments
#   POSTGRES_HOST_AUTH_METHOD  pg_hba method for network clients (default scram-sha-256)
# An empty PGDATA is initialised once; the server listens on all addresses and runs as
# user postgres, exec'd as PID 1 so Docker's stop signal reaches it.
set -Eeuo pipefail

if [[ "${1:-}" == -* ]]; then
    set -- postgres "$@"
fi
if [[ "${1:-}" != "postgres" ]]; then
    exec "$@"
fi
# Options that only print something need no data directory.
for arg in "$@"; do
    case "$arg" in
        -'?' | --help | --describe-config | -C | --version | -V) exec "$@" ;;
    esac
done

if [[ "$(id -u)" == "0" ]]; then
    mkdir -p "$PGDATA"
    chown postgres:postgres "$PGDATA"
    chmod 700 "$PGDATA"
    exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
fi

user="${POSTGRES_USER:-postgres}"
database="${POSTGRES_DB:-$user}"
auth="${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}"

if [[ ! -s "$PGDATA/PG_VERSION" ]]; then
    if [[ -z "${POSTGRES_PASSWORD:-}" && "$auth" != "trust" ]]; then
        echo "postgres entrypoint: POSTGRES_PASSWORD is empty; set it, or POSTGRES_HOST_AUTH_METHOD=trust to allow every connection without one" >&2
        exit 1
    fi
    # shellcheck disable=SC2086 # POSTGRES_INITDB_ARGS is a list of words, as in the official image
    initdb --username="$user" --pwfile=<(printf '%s\n' "${POSTGRES_PASSWORD:-}") \
        --encoding=UTF8 --locale=C.UTF-8 ${POSTGRES_INITDB_ARGS:-} -D "$PGDATA"
    printf '\nlisten_addresses = '"'*'"'\n' >>"$PGDATA/postgresql.conf"
    printf '\nhost all all all %s\n' "$auth" >>"$PGDATA/pg_hba.conf"
    if [[ "$database" != "postgres" ]]; then
        # Only the Unix socket while initialising, so no client sees a half-made database.
        pg_ctl -D "$PGDATA" -o "-c listen_addresses=''" -w start
        psql -X -v ON_ERROR_STOP=1 --username "$user" --dbname postgres \
            -v db="$database" <<<'CREATE DATABASE :"db";'
        pg_ctl -D "$PGDATA" -m fast -w stop
    fi
    echo "postgres entrypoint: initialised $PGDATA for user $user, database $database"
fi

exec "$@"
