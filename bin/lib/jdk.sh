# Sourced by ODC's scripts: picks a JDK >= 21 and exports JAVA_HOME and PATH.
# Order: $JAVA_HOME if it is new enough, else the newest JDK under /usr/lib/jvm.
# The JDK's release file says its version without starting a JVM, and it is read in bash alone
# (no sed, ls or sort processes): the gpu-dev launcher sources this, and its start-up is the CLI's.

# Sets ODC_JAVA_MAJOR to the feature version of the JDK in $1 from its release file ("" if unknown).
odc_release_major() {
  ODC_JAVA_MAJOR=""
  local line
  [ -r "$1/release" ] || return 0
  while IFS= read -r line || [ -n "$line" ]; do
    case $line in
      JAVA_VERSION=*)
        line=${line#JAVA_VERSION=}
        line=${line//\"/}
        line=${line%%[!0-9]*}
        ODC_JAVA_MAJOR=$line
        return 0
        ;;
    esac
  done <"$1/release"
}

# Prints the feature version of the JDK in $1; asks the JVM when there is no release file.
odc_java_major() {
  odc_release_major "$1"
  local v=$ODC_JAVA_MAJOR
  if [ -z "$v" ]; then
    v=$("$1/bin/java" -XshowSettings:properties -version 2>&1 |
      sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n 1)
  fi
  echo "$v"
}

odc_select_jdk() {
  local candidate best="" best_major=0
  candidate=${JAVA_HOME:-}
  candidate=${candidate%/}
  if [ -n "$candidate" ] && [ -x "$candidate/bin/javac" ]; then
    odc_release_major "$candidate"
    if [ -z "$ODC_JAVA_MAJOR" ]; then
      ODC_JAVA_MAJOR=$(odc_java_major "$candidate")
    fi
    if [ -n "$ODC_JAVA_MAJOR" ] && [ "$ODC_JAVA_MAJOR" -ge 21 ]; then
      best=$candidate
    fi
  fi
  if [ -z "$best" ]; then
    for candidate in /usr/lib/jvm/*/; do
      candidate=${candidate%/}
      [ -x "$candidate/bin/javac" ] || continue
      odc_release_major "$candidate"
      if [ -n "$ODC_JAVA_MAJOR" ] && [ "$ODC_JAVA_MAJOR" -ge 21 ] &&
        [ "$ODC_JAVA_MAJOR" -gt "$best_major" ]; then
        best=$candidate
        best_major=$ODC_JAVA_MAJOR
      fi
    done
  fi
  if [ -n "$best" ]; then
    export JAVA_HOME=$best
    export PATH="$JAVA_HOME/bin:$PATH"
    return 0
  fi
  echo "odc: no JDK 21 or newer found (looked at \$JAVA_HOME and /usr/lib/jvm/*)." >&2
  echo "odc: install one (e.g. Temurin 21+) and set JAVA_HOME to it." >&2
  return 1
}
