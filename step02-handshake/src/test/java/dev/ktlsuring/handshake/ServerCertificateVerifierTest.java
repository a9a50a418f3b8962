package dev.ktlsuring.handshake;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ServerCertificateVerifierTest {

    @Test
    void wildcardCoversExactlyOneLeftMostLabel() {
        assertThat(ServerCertificateVerifier.dnsNameMatches("*.example.com", "www.example.com")).isTrue();
        assertThat(ServerCertificateVerifier.dnsNameMatches("*.example.com", "example.com")).isFalse();
        assertThat(ServerCertificateVerifier.dnsNameMatches("*.example.com", "a.b.example.com")).isFalse();
        assertThat(ServerCertificateVerifier.dnsNameMatches("*.com", "example.com")).isFalse();
        assertThat(ServerCertificateVerifier.dnsNameMatches("www.example.com", "www.example.com")).isTrue();
        assertThat(ServerCertificateVerifier.dnsNameMatches("www.example.com", "ww.example.com")).isFalse();
    }

    @Test
    void ipLiteralsAreRecognisedWithoutLookup() {
        assertThat(ServerCertificateVerifier.isIpLiteral("127.0.0.1")).isTrue();
        assertThat(ServerCertificateVerifier.isIpLiteral("::1")).isTrue();
        assertThat(ServerCertificateVerifier.isIpLiteral("[::1]")).isTrue();
        assertThat(ServerCertificateVerifier.isIpLiteral("localhost")).isFalse();
        assertThat(ServerCertificateVerifier.isIpLiteral("1.2.3.4.example")).isFalse();
    }
}
