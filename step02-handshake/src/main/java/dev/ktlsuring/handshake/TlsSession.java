package dev.ktlsuring.handshake;

import org.bouncycastle.tls.TlsClientContext;
import org.bouncycastle.tls.TlsClientProtocol;

import java.security.cert.X509Certificate;
import java.util.Optional;

/**
 * An authenticated TLS connection right after its handshake: what was negotiated, and the protocol
 * state (secrets, sequence numbers) that the next step hands to the kernel.
 */
public final class TlsSession implements AutoCloseable {

    private final TlsClientProtocol protocol;
    private final HandshakeClient client;
    private final RecordTransport transport;
    private final TlsVersion version;
    private final CipherSuite cipherSuite;
    private final String alpn;

    TlsSession(TlsClientProtocol protocol, HandshakeClient client, RecordTransport transport) {
        this.protocol = protocol;
        this.client = client;
        this.transport = transport;
        var params = client.context().getSecurityParametersConnection();
        this.version = TlsVersion.of(params.getNegotiatedVersion());
        this.cipherSuite = CipherSuite.of(params.getCipherSuite());
        this.alpn = params.getApplicationProtocol() == null ? null : params.getApplicationProtocol().getUtf8Decoding();
    }

    /** The negotiated protocol version. */
    public TlsVersion version() {
        return version;
    }

    /** The negotiated cipher suite. */
    public CipherSuite cipherSuite() {
        return cipherSuite;
    }

    /** The ALPN protocol the server selected, if it selected one. */
    public Optional<String> alpn() {
        return Optional.ofNullable(alpn);
    }

    /** The server's certificate chain, leaf first. */
    public X509Certificate[] peerCertificates() {
        return client.peerChain();
    }

    /** BouncyCastle's protocol engine, for the record layer in userspace. */
    public TlsClientProtocol protocol() {
        return protocol;
    }

    /** The negotiated parameters and secrets. */
    public TlsClientContext context() {
        return client.context();
    }

    /** The record transport over the io_uring socket. */
    public RecordTransport transport() {
        return transport;
    }

    /** {@code TLSv1.3 TLS_AES_128_GCM_SHA256, ALPN http/1.1}. */
    public String describe() {
        return version + " " + cipherSuite + (alpn == null ? ", no ALPN" : ", ALPN " + alpn);
    }

    /** Releases the transport buffers; the socket stays open (its owner closes it). */
    @Override
    public void close() {
        transport.close();
    }

    @Override
    public String toString() {
        return "TlsSession[" + describe() + "]";
    }
}
