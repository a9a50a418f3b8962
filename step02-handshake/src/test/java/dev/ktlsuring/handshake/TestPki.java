package dev.ktlsuring.handshake;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A throwaway PKI made at test time: a CA, and leaf certificates good and bad, so that every
 * certificate check is exercised against real X.509 structures rather than mocks.
 */
public final class TestPki {

    /** Key algorithm (and size) of a leaf: EC P-256, RSA 2048, or RSA 1024, which is too weak to be accepted. */
    public enum KeyType { EC, RSA, RSA_1024 }

    /** The names a good leaf carries: the loopback names the tests connect to. */
    public static final List<String> LOOPBACK_NAMES = List.of("DNS:localhost", "IP:127.0.0.1", "IP:::1");

    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());
    private static TestPki shared;

    private final Credential ca;

    private TestPki(Credential ca) {
        this.ca = ca;
    }

    /** One PKI per test JVM: key generation (RSA especially) is slow. */
    public static synchronized TestPki shared() {
        if (shared == null) {
            shared = create("ktls-uring test CA");
        }
        return shared;
    }

    /** A new, independent CA (EC P-256, self-signed with SHA256withECDSA). */
    public static TestPki create(String caName) {
        return create(caName, KeyType.EC, null);
    }

    /**
     * A new root CA with a key of {@code type}, self-signed with {@code signatureAlgorithm} (e.g.
     * {@code "SHA1withRSA"}), or with SHA-256 if null.
     */
    public static TestPki create(String caName, KeyType type, String signatureAlgorithm) {
        try {
            KeyPair keys = generate(type);
            X500Name name = new X500Name("CN=" + caName);
            Instant now = Instant.now();
            X509Certificate cert = sign(name, keys, name, keys.getPrivate(), null, List.of(),
                    now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(30)), true, signatureAlgorithm);
            return new TestPki(new Credential(keys.getPrivate(), new X509Certificate[]{cert}));
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * An intermediate CA issued by this one, with a key of {@code type}, its certificate signed with
     * {@code signatureAlgorithm} (SHA-256 if null); its leaves carry the chain leaf, intermediate, root.
     */
    public TestPki intermediate(String name, KeyType type, String signatureAlgorithm) {
        try {
            KeyPair keys = generate(type);
            Instant now = Instant.now();
            X509Certificate cert = sign(new X500Name("CN=" + name), keys, caName(), ca.key(), caCertificate(), List.of(),
                    now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(30)), true, signatureAlgorithm);
            return new TestPki(new Credential(keys.getPrivate(), issuedChain(cert)));
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The certificate of the CA that issues this PKI's leaves (the root, unless this is an intermediate). */
    public X509Certificate caCertificate() {
        return ca.chain()[0];
    }

    /** Trust in this PKI's root only. */
    public Trust trust() {
        return Trust.anchors(List.of(ca.chain()[ca.chain().length - 1]));
    }

    /** A leaf valid now for the loopback names. */
    public Credential leaf(KeyType type) {
        return leaf(type, LOOPBACK_NAMES, Instant.now().minus(Duration.ofHours(1)), Instant.now().plus(Duration.ofDays(7)));
    }

    /** A leaf valid now for the loopback names, signed by this CA with {@code signatureAlgorithm} (e.g. {@code "SHA1withRSA"}). */
    public Credential leaf(KeyType type, String signatureAlgorithm) {
        return leaf(type, LOOPBACK_NAMES, Instant.now().minus(Duration.ofHours(1)), Instant.now().plus(Duration.ofDays(7)),
                signatureAlgorithm);
    }

    /** A leaf with the given subjectAltNames ({@code "DNS:…"}, {@code "IP:…"}) and validity. */
    public Credential leaf(KeyType type, List<String> names, Instant notBefore, Instant notAfter) {
        return leaf(type, names, notBefore, notAfter, null);
    }

    private Credential leaf(KeyType type, List<String> names, Instant notBefore, Instant notAfter, String signatureAlgorithm) {
        try {
            KeyPair keys = generate(type);
            X509Certificate cert = sign(new X500Name("CN=" + (names.isEmpty() ? "no-names" : names.getFirst().substring(names.getFirst().indexOf(':') + 1))),
                    keys, caName(), ca.key(), caCertificate(), names, notBefore, notAfter, false, signatureAlgorithm);
            return new Credential(keys.getPrivate(), issuedChain(cert));
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A self-signed leaf for the loopback names: not issued by any CA. */
    public static Credential selfSigned(KeyType type) {
        try {
            KeyPair keys = generate(type);
            X500Name name = new X500Name("CN=self-signed localhost");
            Instant now = Instant.now();
            X509Certificate cert = sign(name, keys, name, keys.getPrivate(), null, LOOPBACK_NAMES,
                    now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(7)), false, null);
            return new Credential(keys.getPrivate(), new X509Certificate[]{cert});
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code cert} followed by this CA's own chain, as a server sends it. */
    private X509Certificate[] issuedChain(X509Certificate cert) {
        X509Certificate[] chain = new X509Certificate[ca.chain().length + 1];
        chain[0] = cert;
        System.arraycopy(ca.chain(), 0, chain, 1, ca.chain().length);
        return chain;
    }

    private X500Name caName() {
        return X500Name.getInstance(caCertificate().getSubjectX500Principal().getEncoded());
    }

    private static KeyPair generate(KeyType type) throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance(type == KeyType.EC ? "EC" : "RSA");
        switch (type) {
            case EC -> generator.initialize(new ECGenParameterSpec("secp256r1"));
            case RSA -> generator.initialize(2048);
            case RSA_1024 -> generator.initialize(1024);
        }
        return generator.generateKeyPair();
    }

    private static X509Certificate sign(X500Name subject, KeyPair subjectKeys, X500Name issuer, PrivateKey issuerKey,
                                        X509Certificate issuerCert, List<String> names, Instant notBefore,
                                        Instant notAfter, boolean isCa, String signatureAlgorithm)
            throws GeneralSecurityException, IOException {
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer,
                BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(notBefore), Date.from(notAfter), subject,
                subjectKeys.getPublic());
        JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
        builder.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(subjectKeys.getPublic()));
        if (issuerCert != null) {
            builder.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(issuerCert));
        }
        builder.addExtension(Extension.keyUsage, true, isCa
                ? new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign)
                : new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
        if (!names.isEmpty()) {
            GeneralName[] sans = names.stream().map(n -> n.startsWith("IP:")
                    ? new GeneralName(GeneralName.iPAddress, n.substring(3))
                    : new GeneralName(GeneralName.dNSName, n.substring(4))).toArray(GeneralName[]::new);
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans));
        }
        String algorithm = signatureAlgorithm != null ? signatureAlgorithm
                : issuerKey.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
        org.bouncycastle.operator.ContentSigner signer;
        try {
            signer = new JcaContentSignerBuilder(algorithm).build(issuerKey);
        } catch (org.bouncycastle.operator.OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
        return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
    }

    /** A private key with its chain (leaf first). */
    public record Credential(PrivateKey key, X509Certificate[] chain) {

        /** An SSLContext for a JDK server presenting this credential. */
        public SSLContext serverContext() {
            try {
                KeyStore ks = KeyStore.getInstance("PKCS12");
                ks.load(null, null);
                ks.setKeyEntry("server", key, new char[0], chain);
                KeyManagerFactory kmf = KeyManagerFactory.getInstance("SunX509");
                kmf.init(ks, new char[0]);
                SSLContext context = SSLContext.getInstance("TLS");
                context.init(kmf.getKeyManagers(), new TrustManager[0], new SecureRandom());
                return context;
            } catch (GeneralSecurityException | IOException e) {
                throw new IllegalStateException(e);
            }
        }

        /** Writes {@code cert.pem} (the chain) and {@code key.pem} (PKCS#8) into {@code dir}. */
        public Path[] writePem(Path dir) throws IOException {
            StringBuilder certs = new StringBuilder();
            try {
                for (X509Certificate c : chain) {
                    certs.append(pem("CERTIFICATE", c.getEncoded()));
                }
            } catch (GeneralSecurityException e) {
                throw new IOException(e);
            }
            Path cert = Files.writeString(dir.resolve("cert.pem"), certs);
            Path keyFile = Files.writeString(dir.resolve("key.pem"), pem("PRIVATE KEY", key.getEncoded()));
            return new Path[]{cert, keyFile};
        }
    }

    /** PEM armour for DER bytes. */
    public static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, new byte[]{'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
