package dev.ktlsuring.handshake;

import dev.ktlsuring.handshake.CertificateRejectedException.Reason;

import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PublicKey;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECKey;
import java.security.interfaces.RSAKey;
import java.security.spec.PSSParameterSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Authenticates a server: its chain must lead to a trust anchor (PKIX, RFC 5280, done by the JDK's
 * trust manager, which also applies the JDK's algorithm constraints), every certificate must be within
 * its validity period and carry a key of at least {@value #MIN_RSA_BITS} bits (RSA) or {@value #MIN_EC_BITS}
 * bits (EC), no certificate but a trust anchor may be signed with a broken hash (MD5, SHA-1), and the leaf must name the host we meant to reach (RFC 6125 §6: subjectAltName dNSName or
 * iPAddress entries only, a wildcard only as the whole left-most label).
 */
public final class ServerCertificateVerifier {

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final int SAN_DNS = 2, SAN_IP = 7;
    /**
     * Smallest acceptable public keys (NIST SP 800-131A, CA/Browser Forum baseline requirements). The
     * JDK's own constraints only refuse RSA below 1024 and EC below 224 bits.
     */
    static final int MIN_RSA_BITS = 2048, MIN_EC_BITS = 256;

    private final X509TrustManager trustManager;   // null: insecure, nothing is checked

    private ServerCertificateVerifier(X509TrustManager trustManager) {
        this.trustManager = trustManager;
    }

    /** A verifier for the given trust configuration. */
    public static ServerCertificateVerifier of(Trust trust) throws IOException {
        try {
            return switch (trust) {
                case Trust.Insecure ignored -> new ServerCertificateVerifier(null);
                case Trust.SystemDefault ignored -> new ServerCertificateVerifier(trustManager(null));
                case Trust.Anchors anchors -> new ServerCertificateVerifier(trustManager(anchors.keyStore()));
            };
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot initialise the trust store: " + e.getMessage(), e);
        }
    }

    /** Whether this verifier checks anything at all. */
    public boolean isInsecure() {
        return trustManager == null;
    }

    // tag::verify[]
    /**
     * Checks {@code chain} (leaf first) for a connection to {@code host}.
     *
     * @param authType the key-exchange/authentication type for the JDK trust manager:
     *                 {@code "ECDHE_ECDSA"} or {@code "ECDHE_RSA"} in TLS 1.2, {@code "UNKNOWN"} in TLS 1.3
     * @throws CertificateRejectedException naming the failed check
     */
    public void verify(X509Certificate[] chain, String host, String authType) throws CertificateRejectedException {
        if (trustManager == null) {
            return;
        }
        if (chain.length == 0) {
            throw new CertificateRejectedException(Reason.INVALID, "the server sent no certificate", null);
        }
        X509Certificate leaf = chain[0];
        checkValidity(chain);
        try {
            trustManager.checkServerTrusted(chain, authType);
        } catch (CertificateException e) {
            if (isConstraintFailure(e)) {
                checkSignatureHashes(chain);  // the JDK's constraints refuse MD5 themselves: same reason as SHA-1
            }
            throw classify(chain, e);
        }
        checkSignatureHashes(chain);
        checkKeyStrength(chain);
        checkHostname(leaf, host);
    }
    // end::verify[]

    private static void checkValidity(X509Certificate[] chain) throws CertificateRejectedException {
        Date now = Date.from(Instant.now());
        for (X509Certificate cert : chain) {
            try {
                cert.checkValidity(now);
            } catch (CertificateExpiredException e) {
                throw new CertificateRejectedException(Reason.EXPIRED, "certificate expired on "
                        + cert.getNotAfter().toInstant() + " (" + subject(cert) + ")", e);
            } catch (CertificateNotYetValidException e) {
                throw new CertificateRejectedException(Reason.NOT_YET_VALID, "certificate not valid before "
                        + cert.getNotBefore().toInstant() + " (" + subject(cert) + ")", e);
            }
        }
    }

    /**
     * Rejects a chain in which a certificate other than a trust anchor is signed with MD5 or SHA-1.
     * Collisions in both are practical (SHA-1: chosen-prefix, 2020), so such a signature does not bind
     * the certificate to its issuer; the JDK refuses SHA-1 only under its own root store. An anchor is
     * trusted because it is configured, not because of its self-signature, so its hash does not matter.
     */
    private void checkSignatureHashes(X509Certificate[] chain) throws CertificateRejectedException {
        for (X509Certificate cert : chain) {
            if (isBrokenHash(signatureHash(cert)) && !isTrustAnchor(cert)) {
                throw new CertificateRejectedException(Reason.WEAK_SIGNATURE, "certificate for " + subject(cert)
                        + " is signed with " + cert.getSigAlgName() + ", a broken hash", null);
            }
        }
    }

    /** The digest of {@code cert}'s signature: the part before "with" ({@code SHA1withRSA}), or RSASSA-PSS's parameter. */
    static String signatureHash(X509Certificate cert) {
        String name = cert.getSigAlgName().toUpperCase(Locale.ROOT);
        int with = name.indexOf("WITH");
        if (with > 0) {
            return name.substring(0, with);
        }
        if (name.equals("RSASSA-PSS") && cert.getSigAlgParams() != null) {
            try {
                var params = AlgorithmParameters.getInstance("RSASSA-PSS");
                params.init(cert.getSigAlgParams());
                return params.getParameterSpec(PSSParameterSpec.class).getDigestAlgorithm().toUpperCase(Locale.ROOT);
            } catch (GeneralSecurityException | IOException e) {
                return name;                               // unreadable: PKIX validation judges it
            }
        }
        return name;                                       // Ed25519 and the like: the hash is part of the scheme
    }

    private static boolean isBrokenHash(String digest) {
        return switch (digest.replace("-", "")) {
            case "MD2", "MD5", "SHA1", "SHA" -> true;
            default -> false;
        };
    }

    /** Whether {@code cert} is one of the configured anchors: same subject and key, as PKIX matches them. */
    private boolean isTrustAnchor(X509Certificate cert) {
        for (X509Certificate anchor : trustManager.getAcceptedIssuers()) {
            if (anchor.getSubjectX500Principal().equals(cert.getSubjectX500Principal())
                    && Arrays.equals(anchor.getPublicKey().getEncoded(), cert.getPublicKey().getEncoded())) {
                return true;
            }
        }
        return false;
    }

    private static void checkKeyStrength(X509Certificate[] chain) throws CertificateRejectedException {
        for (X509Certificate cert : chain) {
            PublicKey key = cert.getPublicKey();
            int bits, minimum;
            if (key instanceof RSAKey rsa) {
                bits = rsa.getModulus().bitLength();
                minimum = MIN_RSA_BITS;
            } else if (key instanceof ECKey ec) {
                bits = ec.getParams().getOrder().bitLength();
                minimum = MIN_EC_BITS;
            } else {
                continue;                                  // EdDSA and others: fixed, adequate sizes
            }
            if (bits < minimum) {
                throw new CertificateRejectedException(Reason.WEAK_KEY, "weak key: " + key.getAlgorithm() + " "
                        + bits + " bits, at least " + minimum + " required (" + subject(cert) + ")", null);
            }
        }
    }

    private static CertificateRejectedException classify(X509Certificate[] chain, CertificateException e) {
        X509Certificate leaf = chain[0];
        String text = messages(e);
        if (isConstraintFailure(e)) {
            return new CertificateRejectedException(Reason.WEAK_KEY,
                    "weak or disallowed key or signature algorithm (" + subject(leaf) + "): " + e.getMessage(), e);
        }
        if (chain.length == 1 && leaf.getSubjectX500Principal().equals(leaf.getIssuerX500Principal())) {
            return new CertificateRejectedException(Reason.SELF_SIGNED,
                    "self-signed certificate is not trusted (" + subject(leaf) + ")", e);
        }
        if (hasCause(e, CertPathBuilderException.class) || text.contains("unable to find valid certification path")) {
            X509Certificate top = chain[chain.length - 1];
            return new CertificateRejectedException(Reason.UNTRUSTED_ISSUER,
                    "untrusted issuer '" + top.getIssuerX500Principal().getName() + "' (" + subject(leaf) + ")", e);
        }
        return new CertificateRejectedException(Reason.INVALID, e.getMessage() + " (" + subject(leaf) + ")", e);
    }

    private static boolean isConstraintFailure(CertificateException e) {
        return messages(e).contains("constraints");
    }

    // tag::hostname[]
    /** RFC 6125 §6.4 (DNS names) and RFC 2818 §3.1 (IP addresses): the leaf must name {@code host}. */
    static void checkHostname(X509Certificate leaf, String host) throws CertificateRejectedException {
        String wanted = normalise(host);
        boolean ipLiteral = isIpLiteral(wanted);
        List<String> names = new ArrayList<>();
        for (List<?> san : subjectAltNames(leaf)) {
            int type = (Integer) san.get(0);
            String value = String.valueOf(san.get(1));
            if (type == SAN_DNS) {
                names.add("DNS:" + value);
                if (!ipLiteral && dnsNameMatches(normalise(value), wanted)) {
                    return;
                }
            } else if (type == SAN_IP) {
                names.add("IP:" + value);
                if (ipLiteral && sameAddress(value, wanted)) {
                    return;
                }
            }
        }
        throw new CertificateRejectedException(Reason.HOSTNAME_MISMATCH, "certificate for "
                + (names.isEmpty() ? "no subject alternative names" : String.join(", ", names))
                + " does not match '" + host + "'", null);
    }

    static boolean dnsNameMatches(String pattern, String host) {
        if (!pattern.startsWith("*.")) {
            return pattern.equals(host);
        }
        // "*.example.com" matches exactly one left-most label: "a.example.com", not "example.com" or "a.b.example.com".
        String suffix = pattern.substring(1);
        int firstDot = host.indexOf('.');
        return firstDot > 0 && host.substring(firstDot).equals(suffix) && suffix.indexOf('.', 1) > 0;
    }
    // end::hostname[]

    /** Whether {@code host} is an IPv4 or IPv6 literal rather than a DNS name (never resolves anything). */
    public static boolean isIpLiteral(String host) {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        return h.indexOf(':') >= 0 || IPV4.matcher(h).matches();
    }

    private static boolean sameAddress(String a, String b) {
        try {
            return InetAddress.getByName(strip(a)).equals(InetAddress.getByName(strip(b)));  // literals: no lookup
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static String strip(String host) {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    private static String normalise(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
    }

    private static Collection<List<?>> subjectAltNames(X509Certificate cert) throws CertificateRejectedException {
        try {
            Collection<List<?>> sans = cert.getSubjectAlternativeNames();
            return sans == null ? List.of() : sans;
        } catch (CertificateParsingException e) {
            throw new CertificateRejectedException(Reason.INVALID, "unreadable subjectAltName: " + e.getMessage(), e);
        }
    }

    private static String subject(X509Certificate cert) {
        return cert.getSubjectX500Principal().getName();
    }

    private static String messages(Throwable t) {
        StringBuilder sb = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            sb.append(c.getMessage()).append('\n');
        }
        return sb.toString();
    }

    private static boolean hasCause(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }

    private static X509TrustManager trustManager(KeyStore anchors) throws GeneralSecurityException {
        TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
        factory.init(anchors);
        for (TrustManager tm : factory.getTrustManagers()) {
            if (tm instanceof X509TrustManager x509) {
                return x509;
            }
        }
        throw new GeneralSecurityException("no X509TrustManager available");
    }
}
