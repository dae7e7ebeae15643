# Sourced by ODC's scripts: what building and running ODC's container images needs on this
# machine, with no registry at all. Podman runs the images (with runc: crun refuses hybrid
# cgroups), debootstrap makes the Debian base from the archive apt already uses, and the OpenSSH
# client logs in to the dev-server image in its test.
#
#   odc_ensure_podman   installs what is missing (apt-get, when root), writes the podman
#                       configuration and sets ODC_IMAGES=1 when images can be built and run here,
#                       else ODC_IMAGES=0 and ODC_IMAGES_WHY (one sentence)
#   odc_debian_mirror   prints the Debian mirror of this machine's apt configuration
#   odc_cache_dir       prints ODC's cache folder (base images live there between runs)

odc_cache_dir() {
  echo "${ODC_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/odc}"
}

# Writes a containers.conf for podman and exports CONTAINERS_CONF, unless the caller set one.
# runc, because crun cannot create cgroups on these VMs; explicit ulimits, because root here lacks
# CAP_SYS_RESOURCE and podman's default (raising nofile to the hard limit) fails at start.
odc_podman_conf() {
  if [ -n "${CONTAINERS_CONF:-}" ]; then
    return 0
  fi
  local dir
  dir="$(odc_cache_dir)"
  mkdir -p "$dir"
  cat >"$dir/containers.conf.tmp.$$" <<'EOF'
# Written by ODC's bin/lib/podman.sh; CONTAINERS_CONF points podman here.
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=20000:20000"]

[engine]
runtime = "runc"
EOF
  mv -f "$dir/containers.conf.tmp.$$" "$dir/containers.conf"
  export CONTAINERS_CONF="$dir/containers.conf"
}

# The first mirror of the Debian archive in the machine's apt sources (deb822 or one-line form),
# for debootstrap. Security and backports archives are not mirrors of the main suite and are skipped.
odc_debian_mirror() {
  local file line uris="" suites="" mirror=""
  file=/etc/apt/sources.list.d/debian.sources
  if [ -r "$file" ]; then
    # deb822: stanzas separated by blank lines; the first stanza whose Suites holds plain
    # "bookworm" (or any suite without a -security/-updates suffix) names the archive.
    while IFS= read -r line || [ -n "$line" ]; do
      case $line in
        URIs:*) uris=${line#URIs:} ;;
        Suites:*) suites=${line#Suites:} ;;
        "")
          mirror=$(odc_mirror_of_stanza "$uris" "$suites")
          [ -n "$mirror" ] && break
          uris="" suites=""
          ;;
      esac
    done <"$file"
    [ -z "$mirror" ] && mirror=$(odc_mirror_of_stanza "$uris" "$suites")
  fi
  if [ -z "$mirror" ] && [ -r /etc/apt/sources.list ]; then
    mirror=$(awk '$1 == "deb" && $3 !~ /-(security|updates|backports)$/ { print $2; exit }' \
      /etc/apt/sources.list)
  fi
  if [ -z "$mirror" ]; then
    return 1
  fi
  echo "$mirror"
}

odc_mirror_of_stanza() {
  local uris=$1 suites=$2 suite
  for suite in $suites; do
    case $suite in
      *-security | *-updates | *-backports) ;;
      *)
        set -- $uris
        [ $# -gt 0 ] && echo "$1"
        return 0
        ;;
    esac
  done
}

odc_ensure_podman() {
  ODC_IMAGES=0
  ODC_IMAGES_WHY=""
  local missing="" tool package
  for tool in podman:podman runc:runc debootstrap:debootstrap ssh:openssh-client \
    ssh-keygen:openssh-client; do
    package=${tool#*:}
    tool=${tool%%:*}
    if ! command -v "$tool" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$tool" ]; then
      case " $missing " in *" $package "*) ;; *) missing="$missing $package" ;; esac
    fi
  done
  if [ -n "$missing" ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      echo "odc: installing$missing for the container image tests (apt-get)..." >&2
      # Other jobs on a shared machine may hold the dpkg lock for a while.
      apt-get -o DPkg::Lock::Timeout=600 update -qq >/dev/null &&
        DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq \
          $missing >/dev/null || true
    fi
    for tool in podman runc debootstrap ssh; do
      if ! command -v "$tool" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$tool" ]; then
        ODC_IMAGES_WHY="$tool is not installed and could not be installed (needs root and apt-get)"
        odc_images_skip_notice
        return 0
      fi
    done
  fi
  if [ "$(id -u)" != 0 ]; then
    # debootstrap needs root, and rootless podman needs subordinate ids set up by an admin.
    ODC_IMAGES_WHY="building the base image with debootstrap needs root"
    odc_images_skip_notice
    return 0
  fi
  odc_podman_conf
  if ! podman info >/dev/null 2>&1; then
    ODC_IMAGES_WHY="podman is installed but 'podman info' fails ($(podman info 2>&1 | tail -n 1))"
    odc_images_skip_notice
    return 0
  fi
  ODC_IMAGES=1
  export ODC_IMAGES
}

odc_images_skip_notice() {
  export ODC_IMAGES ODC_IMAGES_WHY
  echo "odc: $ODC_IMAGES_WHY; the container image tests will be skipped." >&2
}
