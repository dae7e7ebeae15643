# Sourced by ODC's scripts: makes sure Debian's OpenSSH client and server are installed for the
# SSH tests (a real sshd on loopback, the real ssh through `gpu-dev tunnel`) and the tunnel bench.
odc_ensure_openssh() {
  if command -v ssh >/dev/null 2>&1 && command -v ssh-keygen >/dev/null 2>&1 &&
    [ -x /usr/sbin/sshd ]; then
    return 0
  fi
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "odc: installing openssh-client and openssh-server for the SSH tests (apt-get)..." >&2
    # the package must not start a system sshd: the tests start their own on free ports
    if [ ! -e /usr/sbin/policy-rc.d ]; then
      printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
      odc_openssh_policy=1
    fi
    apt-get update -qq >/dev/null &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssh-client openssh-server >/dev/null
    if [ "${odc_openssh_policy:-0}" = 1 ]; then
      rm -f /usr/sbin/policy-rc.d
    fi
    if command -v ssh >/dev/null 2>&1 && [ -x /usr/sbin/sshd ]; then
      return 0
    fi
  fi
  echo "odc: OpenSSH is not installed and could not be installed; the SSH tests will be skipped." >&2
  return 0
}
