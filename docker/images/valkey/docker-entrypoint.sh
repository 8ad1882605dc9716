#!/bin/sh
# As the official valkey image: options or a .conf file alone run valkey-server with them;
# protected mode is off (the container network is the boundary; set a password with
# --requirepass); as root, /data is handed to user valkey and the server runs as valkey.
set -e
case "$1" in
    -* | *.conf) set -- valkey-server "$@" ;;
esac
if [ "$1" = "valkey-server" ]; then
    case " $* " in
        *" --protected-mode "*) ;;
        *) set -- "$@" --protected-mode no ;;
    esac
    if [ "$(id -u)" = "0" ]; then
        find . \! -user valkey -exec chown valkey:valkey '{}' +
        exec setpriv --reuid=valkey --regid=valkey --init-groups "$@"
    fi
fi
exec "$@"
