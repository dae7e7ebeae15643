# Sourced by ODC's scripts: makes sure Debian's chromium is installed for the browser tests.
odc_ensure_chromium() {
  if command -v chromium >/dev/null 2>&1; then
    return 0
  fi
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "odc: installing chromium for the browser tests (apt-get)..." >&2
    apt-get update -qq >/dev/null &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null && return 0
  fi
  echo "odc: chromium is not installed and could not be installed; the browser test will be skipped." >&2
  return 0
}
