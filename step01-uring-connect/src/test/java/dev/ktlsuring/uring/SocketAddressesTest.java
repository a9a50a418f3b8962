package dev.ktlsuring.uring;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.InetAddress;
import java.net.InetSocketAddress;

import static org.assertj.core.api.Assertions.assertThat;

/** Addresses in error messages read as people write them: RFC 5952 for IPv6, brackets before a port. */
class SocketAddressesTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            127.0.0.1                               | 127.0.0.1:443
            ::1                                     | [::1]:443
            ::                                      | [::]:443
            2001:db8:0:0:0:0:0:1                    | [2001:db8::1]:443
            2001:0db8:0000:0000:0001:0000:0000:0001 | [2001:db8::1:0:0:1]:443
            2001:db8:0:1:0:0:0:1                    | [2001:db8:0:1::1]:443
            2001:db8:0:1:1:1:1:1                    | [2001:db8:0:1:1:1:1:1]:443
            fe80:0:0:0:0:0:0:0                      | [fe80::]:443
            fe80:0:0:0:0:0:0:1%1                    | [fe80::1%1]:443
            0:0:0:0:0:1:0:0                         | [::1:0:0]:443
            2001:DB8:AA:BB:CC:DD:EE:FF              | [2001:db8:aa:bb:cc:dd:ee:ff]:443
            """)
    void formatsAsRfc5952(String address, String expected) throws Exception {
        assertThat(SocketAddresses.format(new InetSocketAddress(InetAddress.getByName(address), 443))).isEqualTo(expected);
    }
}
