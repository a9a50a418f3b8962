package dev.ktlsuring.uring;

import dev.ktlsuring.uring.abi.sockaddr_in;
import dev.ktlsuring.uring.abi.sockaddr_in6;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.nio.ByteOrder;

import static dev.ktlsuring.uring.abi.socket_h.AF_INET;
import static dev.ktlsuring.uring.abi.socket_h.AF_INET6;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

/** Converts Java socket addresses into the kernel's {@code sockaddr_in} / {@code sockaddr_in6}. */
public final class SocketAddresses {

    private SocketAddresses() {
    }

    /** A {@code sockaddr_in} or {@code sockaddr_in6} for {@code address}, allocated in {@code arena}. */
    public static MemorySegment encode(InetSocketAddress address, Arena arena) {
        // sin_family is in host order; sin_port and the address are in network (big-endian) order.
        switch (address.getAddress()) {
            case Inet4Address v4 -> {
                MemorySegment sa = arena.allocate(sockaddr_in.layout());
                sockaddr_in.sin_family(sa, (short) AF_INET());
                sa.set(JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN), sockaddr_in.sin_port$offset(),
                        (short) address.getPort());
                MemorySegment.copy(v4.getAddress(), 0, sa, java.lang.foreign.ValueLayout.JAVA_BYTE,
                        sockaddr_in.sin_addr$offset(), 4);
                return sa;
            }
            case Inet6Address v6 -> {
                MemorySegment sa = arena.allocate(sockaddr_in6.layout());
                sockaddr_in6.sin6_family(sa, (short) AF_INET6());
                sa.set(JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN), sockaddr_in6.sin6_port$offset(),
                        (short) address.getPort());
                MemorySegment.copy(v6.getAddress(), 0, sa, java.lang.foreign.ValueLayout.JAVA_BYTE,
                        sockaddr_in6.sin6_addr$offset(), 16);
                sockaddr_in6.sin6_scope_id(sa, v6.getScopeId());
                return sa;
            }
            default -> throw new IllegalArgumentException("not an IP address: " + address);
        }
    }

    /** {@code 127.0.0.1:443} or {@code [::1]:443}, as in error messages. */
    public static String format(InetSocketAddress address) {
        String host = address.isUnresolved() ? address.getHostString()
                : address.getAddress() instanceof Inet6Address v6 ? format(v6)
                : address.getAddress().getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    /**
     * The text form of RFC 5952 §4, the one people write ({@code ::1}, {@code 2001:db8::1}): the JDK's
     * {@code getHostAddress} spells every group out ({@code 0:0:0:0:0:0:0:1}). A zone (scope) stays
     * as the JDK writes it, after {@code %} (§6).
     */
    static String format(Inet6Address address) {
        byte[] a = address.getAddress();
        int[] group = new int[8];
        for (int i = 0; i < 8; i++) {
            group[i] = (a[2 * i] & 0xff) << 8 | a[2 * i + 1] & 0xff;
        }
        // §4.2.2-4.2.3: "::" replaces the longest run of two or more zero groups, the first if tied.
        int bestStart = -1, bestLength = 1;
        for (int i = 0; i < 8; ) {
            int j = i;
            while (j < 8 && group[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = Math.max(j, i + 1);
        }
        var text = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                text.append("::");
                i += bestLength - 1;
                continue;
            }
            if (!text.isEmpty() && text.charAt(text.length() - 1) != ':') {
                text.append(':');
            }
            text.append(Integer.toHexString(group[i]));   // §4.1 and §4.3: no leading zeros, lower case
        }
        String jdk = address.getHostAddress();
        return jdk.indexOf('%') >= 0 ? text + jdk.substring(jdk.indexOf('%')) : text.toString();
    }
}
