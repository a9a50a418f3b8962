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
#   CompileThresholdScaling: userspace TLS records are AES-GCM in SunJCE, fast only once C2 has compiled
#     GHASH, CounterMode and AESCrypt with their intrinsics (C1 and the interpreter run them in plain
#     Java, some 30 MB/s here). C2 is one thread on a small machine, and a fresh JVM keeps it busy for
#     hundreds of milliseconds with code that no longer matters once the handshake is done: the P-256
#     arithmetic of the certificate checks and the class-file generator behind method handles. So
#     SunJCE's methods reach C2 at 1/20 of the usual counts, those others at 20 times them. Measured
#     with final/bench's cold scenario on this project's 2-core host: one 16 MiB download 1.56 -> 1.26 s
#     wall, 128 MiB 2.08 -> 1.64 s (CPU -21 to -29 %); one 1 KiB GET and 1 GiB: no change beyond the
#     noise (see the performance chapter, "Cold start"). "quiet": CompileCommand says nothing on stdout.
#     (Quoted: a pattern with * must not meet the shell's file-name expansion.)
KTLS_JVM_OPTIONS=(--enable-native-access=ALL-UNNAMED -Xlog:all=off:stdout -Xlog:all=warning:stderr
    -XX:CompileCommand=quiet
    '-XX:CompileCommand=CompileThresholdScaling,com.sun.crypto.provider.*::*,0.05'
    '-XX:CompileCommand=CompileThresholdScaling,sun.security.ec.*::*,20.0'
    '-XX:CompileCommand=CompileThresholdScaling,sun.security.util.math.*::*,20.0'
    '-XX:CompileCommand=CompileThresholdScaling,jdk.internal.classfile.*::*,20.0')

# What a cache made with the JDK at $1 and these options records in its .jdk stamp file.
ktls_aot_stamp() {
    printf '%s %s %s\n' "$1" "$(sed -n 's/^JAVA_RUNTIME_VERSION="\(.*\)"/\1/p' "$1/release" 2>/dev/null)" \
        "${KTLS_JVM_OPTIONS[*]}"
}
