# Sourced by ODC's scripts: picks a JDK >= 21 and exports JAVA_HOME and PATH.
# Order: $JAVA_HOME if it is new enough, then the JDKs under /usr/lib/jvm, newest first.
# The JDK's release file says its version without starting a JVM (launchers must start fast).
odc_java_major() {
  local v=""
  if [ -r "$1/release" ]; then
    v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release" | head -n 1)
  fi
  if [ -z "$v" ]; then
    v=$("$1/bin/java" -XshowSettings:properties -version 2>&1 |
      sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n 1)
  fi
  echo "$v"
}

odc_select_jdk() {
  local candidate major
  for candidate in "${JAVA_HOME:-}" $(ls -d /usr/lib/jvm/*/ 2>/dev/null | sort -rV); do
    candidate=${candidate%/}
    [ -n "$candidate" ] && [ -x "$candidate/bin/javac" ] || continue
    major=$(odc_java_major "$candidate")
    if [ -n "$major" ] && [ "$major" -ge 21 ]; then
      export JAVA_HOME=$candidate
      export PATH="$JAVA_HOME/bin:$PATH"
      return 0
    fi
  done
  echo "odc: no JDK 21 or newer found (looked at \$JAVA_HOME and /usr/lib/jvm/*)." >&2
  echo "odc: install one (e.g. Temurin 21+) and set JAVA_HOME to it." >&2
  return 1
}
