#!/usr/bin/env bash
# Builds ODC's container images with podman and no registry: the three services
# (api-service, reservation-processor, cronjobs, from deploy/docker/Dockerfile) and the default
# development server (deploy/docker/devserver), each saved as an OCI archive.
#
#   deploy/images/build.sh [--out DIR] [--tag TAG] [services|devserver|all]
#
# --out  where the OCI archives go (default: target/images); one <image>.oci.tar per image
# --tag  the images' tag (default: the chart's appVersion, the tag the chart runs by default)
#
# The service jars must exist (mvn package). Needs root, podman, runc and debootstrap
# (bin/lib/podman.sh installs them on Debian). The bases are made here, not pulled:
#   odc/debian:bookworm     debootstrap --variant=minbase from the Debian mirror of this machine's
#                           apt configuration, apt lists and sources removed, podman import
#   odc/java-base:<N>       that plus a jlink-ed Java runtime of the build's JDK in /opt/java
#   odc/devserver-base:bookworm   minbase plus the dev server's packages (--include)
# The debootstrap root filesystems and the jlink-ed runtime are cached in ~/.cache/odc/images
# (ODC_CACHE_DIR moves it) and reused until their recipe changes; delete the folder to rebuild.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
. "$repo/bin/lib/jdk.sh"
. "$repo/bin/lib/podman.sh"

out="$repo/target/images"
tag=""
what=all
while [ $# -gt 0 ]; do
  case $1 in
    --out) out=$2; shift 2 ;;
    --tag) tag=$2; shift 2 ;;
    services | devserver | all) what=$1; shift ;;
    -h | --help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "build.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
if [ -z "$tag" ]; then
  tag=$(sed -n 's/^appVersion: *"\{0,1\}\([^"]*\)"\{0,1\} *$/\1/p' "$repo/helm/odc/Chart.yaml")
fi

odc_select_jdk
if [ "$(id -u)" != 0 ]; then
  echo "build.sh: building the base images with debootstrap needs root." >&2
  exit 1
fi
for tool in podman debootstrap; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "build.sh: $tool is missing (bin/lib/podman.sh's odc_ensure_podman installs it)." >&2
    exit 1
  fi
done
odc_podman_conf
cache="$(odc_cache_dir)/images"
mkdir -p "$cache" "$out"
# One build at a time on this machine: the cache and podman's image names are shared by every
# checkout (another worktree, a second bin/test).
exec 8>"$cache/build.lock"
if ! flock -n 8; then
  echo "odc-images: waiting for another image build on this machine..." >&2
  flock 8
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/odc-images.XXXXXX")
trap 'rm -rf "$work"' EXIT

log() { echo "odc-images: [${SECONDS}s] $*" >&2; }

# Packages of the dev server's base; their list names the cached root filesystem, so changing it
# rebuilds the base. The Containerfile installs the same list on bases that lack them.
devserver_packages=$(sed -n 's/^ *packages="\([^"]*\)".*/\1/p' "$repo/deploy/docker/devserver/Containerfile")
# Modules of the services' Java runtime: Java SE plus what Netty, Jetty, the JDBC driver and the
# cloud SDKs reach for outside it.
java_modules="java.se,jdk.unsupported,jdk.crypto.ec,jdk.management,jdk.naming.dns,jdk.zipfs,jdk.localedata"

# Makes <cache>/<name>.tar, a Debian bookworm root filesystem (debootstrap minbase, then the
# extra packages), once; later runs reuse it. With $3 = slim, documentation, manual pages and
# translations go too (the services read none).
rootfs_tar() {
  local name=$1 include=$2 slim=${3:-} tar="$cache/$1.tar" mirror rootfs
  if [ ! -s "$tar" ]; then
    mirror=$(odc_debian_mirror) || {
      echo "build.sh: no Debian mirror found in /etc/apt/sources.list.d/debian.sources or /etc/apt/sources.list" >&2
      exit 1
    }
    rootfs="$work/rootfs-$name"
    log "debootstrap $name (bookworm, minbase${include:+, +${include//,/ }})..."
    debootstrap --variant=minbase ${include:+--include="$include"} bookworm "$rootfs" "$mirror" \
      >"$work/debootstrap-$name.log" 2>&1 || {
      tail -n 20 "$work/debootstrap-$name.log" >&2
      exit 1
    }
    # The image must not carry this machine's mirror or package lists.
    rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin \
      "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/etc/apt/sources.list.d/*
    : >"$rootfs/etc/apt/sources.list"
    rm -f "$rootfs"/var/log/*.log "$rootfs"/var/log/apt/* "$rootfs"/etc/ssh/ssh_host_*
    if [ "$slim" = slim ]; then
      rm -rf "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* \
        "$rootfs"/usr/share/locale/* "$rootfs"/usr/share/lintian "$rootfs"/var/cache/debconf/*-old
    fi
    tar --numeric-owner -C "$rootfs" -cf "$tar.tmp" .
    mv -f "$tar.tmp" "$tar"
    rm -rf "$rootfs"
  fi
}

# Imports a cached root filesystem as image $2 unless podman already has it from that file.
import_rootfs() {
  local tar=$1 image=$2 stamp
  stamp=$(stat -c %Y-%s "$tar")
  if [ "$(podman image inspect --format '{{index .Labels "dev.odc.rootfs"}}' "$image" 2>/dev/null)" != "$stamp" ]; then
    log "podman import $image"
    podman import -q --change "LABEL dev.odc.rootfs=$stamp" \
      --change "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
      --change "ENV LANG=C.UTF-8" "$tar" "$image" >/dev/null
  fi
}

# The service base: minbase plus a jlink-ed runtime of the selected JDK in /opt/java.
java_base() {
  local major jre
  major=$(odc_java_major "$JAVA_HOME")
  jre="$cache/jre-$major-$(echo "$java_modules" | cksum | cut -d' ' -f1)"
  if [ ! -x "$jre/bin/java" ]; then
    log "jlink a Java $major runtime ($java_modules)"
    rm -rf "$jre.tmp"
    "$JAVA_HOME/bin/jlink" --add-modules "$java_modules" --strip-debug --no-header-files \
      --no-man-pages --compress=zip-6 --output "$jre.tmp"
    mv "$jre.tmp" "$jre"
  fi
  rootfs_tar debian-bookworm-minbase-slim "" slim
  import_rootfs "$cache/debian-bookworm-minbase-slim.tar" localhost/odc/debian:bookworm
  java_base_image=localhost/odc/java-base:$major
  mkdir -p "$work/java-base"
  cp -a "$jre" "$work/java-base/jre"
  cat >"$work/java-base/Containerfile" <<EOF
FROM localhost/odc/debian:bookworm
COPY jre /opt/java
ENV JAVA_HOME=/opt/java PATH=/opt/java/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
EOF
  podman build -q --pull=never -t "$java_base_image" "$work/java-base" >/dev/null
}

# podman save, as an OCI archive named after the image.
save() {
  local image=$1 file=$2
  rm -f "$out/$file"
  podman save -q --format oci-archive -o "$out/$file" "$image"
  log "$image -> $out/$file ($(du -m "$out/$file" | cut -f1) MiB)"
}

services() {
  local service context
  java_base
  for service in api-service reservation-processor cronjobs; do
    if [ ! -s "$repo/$service/target/$service.jar" ]; then
      echo "build.sh: $repo/$service/target/$service.jar is missing: run mvn package first." >&2
      exit 1
    fi
    # A context holding only the jar, at the path the Dockerfile copies from.
    context="$work/context-$service"
    mkdir -p "$context/$service/target"
    ln "$repo/$service/target/$service.jar" "$context/$service/target/$service.jar" 2>/dev/null ||
      cp "$repo/$service/target/$service.jar" "$context/$service/target/$service.jar"
    log "podman build odc/$service:$tag"
    podman build -q --pull=never -f "$repo/deploy/docker/Dockerfile" \
      --build-arg SERVICE="$service" --build-arg BASE_IMAGE="$java_base_image" \
      -t "localhost/odc/$service:$tag" "$context" >/dev/null
    save "localhost/odc/$service:$tag" "$service.oci.tar"
  done
}

devserver() {
  local include name
  include=$(echo "$devserver_packages" | tr -s ' ' ',')
  name="debian-bookworm-devserver-$(echo "$include" | cksum | cut -d' ' -f1)"
  rootfs_tar "$name" "$include"
  import_rootfs "$cache/$name.tar" localhost/odc/devserver-base:bookworm
  log "podman build odc/devserver:$tag"
  podman build -q --pull=never --build-arg BASE_IMAGE=localhost/odc/devserver-base:bookworm \
    -t "localhost/odc/devserver:$tag" "$repo/deploy/docker/devserver" >/dev/null
  save "localhost/odc/devserver:$tag" devserver.oci.tar
}

case $what in
  services) services ;;
  devserver) devserver ;;
  all) services; devserver ;;
esac
# Each build leaves the previous ODC images untagged; drop those (only ODC's: they carry the
# label of the base they were built on).
podman image prune -f --filter label=dev.odc.rootfs >/dev/null 2>&1 || true
