package dev.ktlsuring.handshake;

import dev.ktlsuring.handshake.CertificateRejectedException.Reason;
import dev.ktlsuring.handshake.TestPki.Credential;
import dev.ktlsuring.handshake.TestPki.KeyType;
import dev.ktlsuring.uring.EventLoop;
import dev.ktlsuring.uring.UringSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class CertificateRejectionTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final TestPki PKI = TestPki.shared();
    private static final String SUITE = "TLS_AES_128_GCM_SHA256";

    // tag::rejections[]
    @Test
    void leafFromAnotherCaIsAnUntrustedIssuer() throws Exception {
        Credential foreign = TestPki.create("some other CA").leaf(KeyType.EC);
        assertRejected(foreign, "localhost", PKI.trust(), Reason.UNTRUSTED_ISSUER,
                "server certificate rejected: untrusted issuer 'CN=some other CA' (CN=localhost)");
    }

    @Test
    void expiredLeaf() throws Exception {
        Instant now = Instant.now();
        Credential expired = PKI.leaf(KeyType.EC, TestPki.LOOPBACK_NAMES, now.minus(Duration.ofDays(10)),
                now.minus(Duration.ofDays(1)));
        assertRejected(expired, "localhost", PKI.trust(), Reason.EXPIRED, "server certificate rejected: certificate expired on ");
    }

    @Test
    void notYetValidLeaf() throws Exception {
        Instant now = Instant.now();
        Credential future = PKI.leaf(KeyType.EC, TestPki.LOOPBACK_NAMES, now.plus(Duration.ofDays(1)),
                now.plus(Duration.ofDays(10)));
        assertRejected(future, "localhost", PKI.trust(), Reason.NOT_YET_VALID,
                "server certificate rejected: certificate not valid before ");
    }

    @Test
    void leafForAnotherHost() throws Exception {
        Instant now = Instant.now();
        Credential other = PKI.leaf(KeyType.EC, List.of("DNS:other.example", "IP:10.9.9.9"),
                now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(1)));
        assertRejected(other, "localhost", PKI.trust(), Reason.HOSTNAME_MISMATCH,
                "server certificate rejected: certificate for DNS:other.example, IP:10.9.9.9 does not match 'localhost'");
    }

    @Test
    void leafWithoutTheIpWeConnectedTo() throws Exception {
        Instant now = Instant.now();
        Credential dnsOnly = PKI.leaf(KeyType.EC, List.of("DNS:localhost"), now.minus(Duration.ofHours(1)),
                now.plus(Duration.ofDays(1)));
        assertRejected(dnsOnly, "127.0.0.1", PKI.trust(), Reason.HOSTNAME_MISMATCH,
                "server certificate rejected: certificate for DNS:localhost does not match '127.0.0.1'");
    }

    /** An IP literal is matched against iPAddress SANs exactly: a certificate for 127.0.0.2 does not cover 127.0.0.1. */
    @Test
    void leafForAnotherIpAddress() throws Exception {
        Instant now = Instant.now();
        Credential otherIp = PKI.leaf(KeyType.EC, List.of("IP:127.0.0.2"), now.minus(Duration.ofHours(1)),
                now.plus(Duration.ofDays(1)));
        assertRejected(otherIp, "127.0.0.1", PKI.trust(), Reason.HOSTNAME_MISMATCH,
                "server certificate rejected: certificate for IP:127.0.0.2 does not match '127.0.0.1'");
    }

    /** A chain that validates but whose leaf has an RSA-1024 key, which the JDK's own constraints let through. */
    @Test
    void leafWithA1024BitRsaKeyIsTooWeak() throws Exception {
        assertRejected(PKI.leaf(KeyType.RSA_1024), "localhost", PKI.trust(), Reason.WEAK_KEY,
                "server certificate rejected: weak key: RSA 1024 bits, at least 2048 required (CN=localhost)");
    }

    /**
     * SHA-1 collisions are practical (SHAttered, 2017; chosen-prefix, 2020), so a SHA-1 signature does not
     * bind a certificate to its issuer; the JDK refuses it only under its own root store ("jdkCA"). MD5
     * its constraints refuse everywhere; the reason still names the certificate and the hash.
     */
    static Stream<Arguments> brokenHashes() {
        TestPki rsaIntermediate = PKI.intermediate("ktls-uring RSA intermediate", KeyType.RSA, null);
        return Stream.of(
                Arguments.of("leaf signed with SHA-1", rsaIntermediate.leaf(KeyType.EC, "SHA1withRSA"),
                        "server certificate rejected: certificate for CN=localhost is signed with SHA1withRSA, a broken hash"),
                Arguments.of("intermediate signed with SHA-1",
                        PKI.intermediate("SHA-1 intermediate", KeyType.EC, "SHA1withECDSA").leaf(KeyType.EC),
                        "server certificate rejected: certificate for CN=SHA-1 intermediate is signed with SHA1withECDSA, "
                                + "a broken hash"),
                Arguments.of("leaf signed with MD5", rsaIntermediate.leaf(KeyType.EC, "MD5withRSA"),
                        "server certificate rejected: certificate for CN=localhost is signed with MD5withRSA, a broken hash"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenHashes")
    void certificateSignedWithABrokenHash(String name, Credential credential, String message) throws Exception {
        assertThat(assertRejected(credential, "localhost", PKI.trust(), Reason.WEAK_SIGNATURE, message))
                .hasMessage(message);
    }

    /** A trust anchor is trusted as configured, not because of its self-signature, so that signature's hash is irrelevant. */
    @Test
    void trustAnchorSelfSignedWithSha1IsAccepted() throws Exception {
        TestPki sha1Root = TestPki.create("SHA-1 root", KeyType.RSA, "SHA1withRSA");
        try (var server = new JdkTlsServer(sha1Root.leaf(KeyType.EC), "TLSv1.3", SUITE, JdkTlsServer.ECHO);
             var loop = EventLoop.start("test", 8);
             var socket = UringSocket.connect(loop, "127.0.0.1", server.port(), TIMEOUT);
             var session = TlsHandshake.perform(socket, "localhost", TlsOptions.defaults().withTrust(sha1Root.trust()),
                     TIMEOUT)) {
            assertThat(session.peerCertificates()).hasSize(2);
            assertThat(session.peerCertificates()[1].getSigAlgName()).isEqualTo("SHA1withRSA");
        }
    }

    @Test
    void selfSignedLeaf() throws Exception {
        assertRejected(TestPki.selfSigned(KeyType.EC), "localhost", PKI.trust(), Reason.SELF_SIGNED,
                "server certificate rejected: self-signed certificate is not trusted (CN=self-signed localhost)");
    }

    @Test
    void ourCaIsNotInTheSystemTrustStore() throws Exception {
        assertRejected(PKI.leaf(KeyType.EC), "localhost", Trust.system(), Reason.UNTRUSTED_ISSUER,
                "server certificate rejected: untrusted issuer 'CN=ktls-uring test CA'");
    }
    // end::rejections[]

    @Test
    void insecureModeAcceptsWhatWouldBeRejected() throws Exception {
        try (var server = new JdkTlsServer(TestPki.selfSigned(KeyType.EC), "TLSv1.3", SUITE, JdkTlsServer.ECHO);
             var loop = EventLoop.start("test", 8);
             var socket = UringSocket.connect(loop, "127.0.0.1", server.port(), TIMEOUT);
             var session = TlsHandshake.perform(socket, "wrong.example",
                     TlsOptions.defaults().withTrust(Trust.insecure()), TIMEOUT)) {
            assertThat(session.peerCertificates()).hasSize(1);
        }
    }

    private static CertificateRejectedException assertRejected(Credential credential, String host, Trust trust,
                                                               Reason reason, String messagePrefix) throws Exception {
        try (var server = new JdkTlsServer(credential, "TLSv1.3", SUITE, JdkTlsServer.ECHO);
             var loop = EventLoop.start("test", 8);
             var socket = UringSocket.connect(loop, "127.0.0.1", server.port(), TIMEOUT)) {
            var rejected = catchThrowableOfType(CertificateRejectedException.class,
                    () -> TlsHandshake.perform(socket, host, TlsOptions.defaults().withTrust(trust), TIMEOUT));
            assertThat(rejected).as("the handshake must fail with a certificate rejection").isNotNull()
                    .hasMessageStartingWith(messagePrefix);
            assertThat(rejected.reason()).as(rejected.getMessage()).isEqualTo(reason);
            return rejected;
        }
    }
}
