# Sourced by final/ktls-https and final/src/build/aot-cache: which JDK runs the command line, and with
# which JVM options. The ahead-of-time cache (target/ktls-https.aot) is only good for the JDK and
# options it was made with, so both scripts take them from here.

# The major version of the JDK at $1, or 0 if it is none.
ktls_jdk_major() {
    [[ -x $1/bin/java ]] || { echo 0; return; }
    sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release" 2>/dev/null || echo 0
}

# A JDK 25+, which need not be the `java` on PATH: $JAVA_HOME if it is 25+, else the newest 25+
# under /usr/lib/jvm. Prints its path; fails if there is none.
ktls_java_home() {
    if [[ -n ${JAVA_HOME:-} ]] && (($(ktls_jdk_major "$JAVA_HOME") >= 25)); then
        echo "$JAVA_HOME"
        return
    fi
    local best=0 found= h v
    for h in /usr/lib/jvm/*/; do
        h=${h%/}
        v=$(ktls_jdk_major "$h")
        if ((${v:-0} >= 25 && ${v:-0} > best)); then found=$h best=$v; fi
    done
    [[ -n $found ]] && echo "$found"
}

# The JVM options of the command line (and of the cache's training run).
#   --enable-native-access: io_uring and kTLS are reached through FFM downcalls.
#   -Xlog: the JVM's own warnings to standard error, never into a body written to standard output.
KTLS_JVM_OPTIONS=(--enable-native-access=ALL-UNNAMED -Xlog:all=off:stdout -Xlog:all=warning:stderr)

# What a cache made with the JDK at $1 and these options records in its .jdk stamp file.
ktls_aot_stamp() {
    printf '%s %s %s\n' "$1" "$(sed -n 's/^JAVA_RUNTIME_VERSION="\(.*\)"/\1/p' "$1/release" 2>/dev/null)" \
        "${KTLS_JVM_OPTIONS[*]}"
}
