# Sourced by ODC's scripts: makes sure Debian's chromium and its WebDriver, chromium-driver, are
# installed for the browser tests (those tests skip with a message when either is missing).
odc_ensure_chromium() {
  local missing=""
  command -v chromium >/dev/null 2>&1 || missing="chromium"
  command -v chromedriver >/dev/null 2>&1 || missing="${missing:+$missing }chromium-driver"
  if [ -z "$missing" ]; then
    return 0
  fi
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "odc: installing $missing for the browser tests (apt-get)..." >&2
    # shellcheck disable=SC2086 # one word per package
    apt-get update -qq >/dev/null &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null && return 0
  fi
  echo "odc: $missing is not installed and could not be installed; the browser tests will be skipped." >&2
  return 0
}
