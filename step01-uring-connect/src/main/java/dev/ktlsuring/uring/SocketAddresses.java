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
        String host = address.isUnresolved() ? address.getHostString() : address.getAddress().getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
    }
}
