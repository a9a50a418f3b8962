package dev.ktlsuring.handshake;

import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.CertificateRequest;
import org.bouncycastle.tls.DefaultTlsClient;
import org.bouncycastle.tls.HashAlgorithm;
import org.bouncycastle.tls.NameType;
import org.bouncycastle.tls.ProtocolName;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.ServerName;
import org.bouncycastle.tls.SignatureAndHashAlgorithm;
import org.bouncycastle.tls.TlsAuthentication;
import org.bouncycastle.tls.TlsClientContext;
import org.bouncycastle.tls.TlsCredentials;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsServerCertificate;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.crypto.TlsCertificate;
import org.bouncycastle.tls.crypto.impl.jcajce.JcaTlsCertificate;
import org.bouncycastle.tls.crypto.impl.jcajce.JcaTlsCrypto;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.Vector;

/**
 * The BouncyCastle {@code TlsClient}: what the ClientHello offers (versions, kTLS-capable suites, SNI,
 * ALPN) and how the server's certificate is checked.
 */
final class HandshakeClient extends DefaultTlsClient {

    private final JcaTlsCrypto jcaCrypto;
    private final TlsOptions options;
    private final String host;
    private final ServerCertificateVerifier verifier;
    private final HandshakeObserver observer;
    private CertificateRejectedException rejection;
    private X509Certificate[] peerChain = new X509Certificate[0];

    HandshakeClient(JcaTlsCrypto crypto, TlsOptions options, String host, ServerCertificateVerifier verifier,
                    HandshakeObserver observer) {
        super(crypto);
        this.jcaCrypto = crypto;
        this.options = options;
        this.host = host;
        this.verifier = verifier;
        this.observer = observer;
    }

    @Override
    protected ProtocolVersion[] getSupportedVersions() {
        // Newest first: the order of supported_versions is the client's preference (RFC 8446 §4.2.1).
        // Only versions with at least one offered suite: a server that picks TLS 1.3 because we listed
        // it, then finds none of our suites, fails the handshake instead of choosing TLS 1.2.
        return options.versions().stream()
                .filter(v -> options.offeredSuites().stream().anyMatch(s -> s.version() == v))
                .sorted((a, b) -> b.compareTo(a))
                .map(TlsVersion::protocolVersion)
                .toArray(ProtocolVersion[]::new);
    }

    @Override
    protected int[] getSupportedCipherSuites() {
        int[] wanted = options.offeredSuites().stream().mapToInt(CipherSuite::code).toArray();
        // Drops any suite the crypto provider cannot run, so we never offer what we could not complete.
        return TlsUtils.getSupportedCipherSuites(getCrypto(), wanted);
    }

    @Override
    protected Vector<SignatureAndHashAlgorithm> getSupportedSignatureAlgorithms() {
        // BouncyCastle's defaults still list rsa_pkcs1_sha1, dsa_sha1 and ecdsa_sha1 for old TLS 1.2
        // servers; a server must not be invited to sign with a hash whose collisions are practical.
        Vector<SignatureAndHashAlgorithm> offered = new Vector<>(super.getSupportedSignatureAlgorithms());
        offered.removeIf(s -> s.getHash() == HashAlgorithm.md5 || s.getHash() == HashAlgorithm.sha1);
        return offered;
    }

    @Override
    protected Vector<ServerName> getSNIServerNames() {
        // RFC 6066 §3: literal IPv4 and IPv6 addresses are not permitted in server_name.
        if (ServerCertificateVerifier.isIpLiteral(host)) {
            return null;
        }
        Vector<ServerName> names = new Vector<>();
        names.add(new ServerName(NameType.host_name, host.getBytes(StandardCharsets.US_ASCII)));
        return names;
    }

    @Override
    protected Vector<ProtocolName> getProtocolNames() {
        if (options.alpn().isEmpty()) {
            return null;
        }
        Vector<ProtocolName> names = new Vector<>();
        options.alpn().forEach(p -> names.add(ProtocolName.asUtf8Encoding(p)));
        return names;
    }

    @Override
    public TlsAuthentication getAuthentication() {
        return new TlsAuthentication() {
            @Override
            public void notifyServerCertificate(TlsServerCertificate serverCertificate) throws IOException {
                TlsCertificate[] certs = serverCertificate.getCertificate().getCertificateList();
                X509Certificate[] chain = new X509Certificate[certs.length];
                for (int i = 0; i < certs.length; i++) {
                    chain[i] = JcaTlsCertificate.convert(jcaCrypto, certs[i]).getX509Certificate();
                }
                peerChain = chain;
                try {
                    verifier.verify(chain, host, authType());
                } catch (CertificateRejectedException e) {
                    rejection = e;
                    throw new TlsFatalAlert(alertFor(e), e);
                }
            }

            @Override
            public TlsCredentials getClientCredentials(CertificateRequest request) {
                return null;   // no client certificates
            }
        };
    }

    @Override
    public void notifyHandshakeComplete() throws IOException {
        super.notifyHandshakeComplete();
        observer.handshakeComplete(context);
    }

    /** The client context: negotiated parameters and, for later steps, the traffic secrets. */
    TlsClientContext context() {
        return context;
    }

    /** The certificate rejection that aborted the handshake, if any. */
    CertificateRejectedException rejection() {
        return rejection;
    }

    /** The server's chain as received (leaf first), empty before the Certificate message. */
    X509Certificate[] peerChain() {
        return peerChain.clone();
    }

    private String authType() {
        var params = context.getSecurityParametersHandshake();
        if (TlsUtils.isTLSv13(params.getNegotiatedVersion())) {
            return "UNKNOWN";
        }
        String name = CipherSuite.of(params.getCipherSuite()).name();
        return name.contains("_ECDSA_") ? "ECDHE_ECDSA" : "ECDHE_RSA";
    }

    private static short alertFor(CertificateRejectedException e) {
        return switch (e.reason()) {
            case EXPIRED, NOT_YET_VALID -> AlertDescription.certificate_expired;
            case UNTRUSTED_ISSUER, SELF_SIGNED -> AlertDescription.unknown_ca;
            case WEAK_KEY, WEAK_SIGNATURE -> AlertDescription.unsupported_certificate;
            case HOSTNAME_MISMATCH, INVALID -> AlertDescription.bad_certificate;
        };
    }
}
