package dev.ktlsuring.handshake;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;

/** Where the trust anchors for server authentication come from. */
public sealed interface Trust {

    /** The JDK's default trust store ({@code cacerts}). */
    static Trust system() {
        return new SystemDefault();
    }

    /** The CA certificates in a PEM file, like curl's {@code --cacert}. */
    static Trust pemFile(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certs.isEmpty()) {
                throw new IOException("no certificates in " + file);
            }
            return new Anchors(certs.stream().map(X509Certificate.class::cast).toList(), file.toString());
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot read CA certificates from " + file + ": " + e.getMessage(), e);
        }
    }

    /** The given CA certificates. */
    static Trust anchors(List<X509Certificate> certificates) {
        return new Anchors(List.copyOf(certificates), "given CA certificates");
    }

    /**
     * No server authentication at all: any certificate for any name is accepted. For tests and
     * troubleshooting only, like curl's {@code -k}; the connection is then open to interception.
     */
    static Trust insecure() {
        return new Insecure();
    }

    /** The JDK's default trust store. */
    record SystemDefault() implements Trust {
    }

    /** An explicit set of trust anchors. */
    record Anchors(List<X509Certificate> certificates, String origin) implements Trust {
        /** The anchors as a KeyStore, for {@code TrustManagerFactory}. */
        KeyStore keyStore() throws GeneralSecurityException, IOException {
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            ks.load(null, null);
            for (int i = 0; i < certificates.size(); i++) {
                ks.setCertificateEntry("ca-" + i, certificates.get(i));
            }
            return ks;
        }
    }

    /** Certificate checks switched off. */
    record Insecure() implements Trust {
    }
}
