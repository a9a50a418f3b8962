# Sourced by final/ktls-https and final/src/build/aot-cache: which JDK runs the command line, and with
# which JVM options. The ahead-of-time cache (target/ktls-https.aot) is only good for the JDK and
# options it was made with, so both scripts take them from here.

# Plain bash throughout, no subshells or other programs: the launcher runs this before every request,
# and each fork and exec would add milliseconds to it.

# The major version of the JDK at $1 in REPLY, or 0 if it is none.
ktls_jdk_major() {
    REPLY=0
    local line
    [[ -x $1/bin/java && -r $1/release ]] || return 0
    while IFS= read -r line; do
        if [[ $line =~ ^JAVA_VERSION=\"([0-9]+) ]]; then
            REPLY=${BASH_REMATCH[1]}
            return 0
        fi
    done <"$1/release"
    return 0
}

# A JDK 25+ in KTLS_JAVA_HOME, which need not be the `java` on PATH: $JAVA_HOME if it is 25+, else the
# newest 25+ under /usr/lib/jvm. Fails if there is none.
ktls_java_home() {
    KTLS_JAVA_HOME=
    if [[ -n ${JAVA_HOME:-} ]]; then
        ktls_jdk_major "$JAVA_HOME"
        if ((REPLY >= 25)); then
            KTLS_JAVA_HOME=$JAVA_HOME
            return 0
        fi
    fi
    local best=0 h
    for h in /usr/lib/jvm/*/; do
        h=${h%/}
        ktls_jdk_major "$h"
        if ((REPLY >= 25 && REPLY > best)); then
            KTLS_JAVA_HOME=$h best=$REPLY
        fi
    done
    [[ -n $KTLS_JAVA_HOME ]]
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

# What a cache made with the JDK at $1 and these options records in its .jdk stamp file, in REPLY.
ktls_aot_stamp() {
    local line version=
    if [[ -r $1/release ]]; then
        while IFS= read -r line; do
            if [[ $line =~ ^JAVA_RUNTIME_VERSION=\"(.*)\"$ ]]; then
                version=${BASH_REMATCH[1]}
            fi
        done <"$1/release"
    fi
    REPLY="$1 $version ${KTLS_JVM_OPTIONS[*]}"
}
