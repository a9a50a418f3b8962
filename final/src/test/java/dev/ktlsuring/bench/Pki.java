package dev.ktlsuring.bench;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.io.IOException;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;

/**
 * A throwaway CA (made fresh each run, valid for a day) and nginx's certificate for 127.0.0.1 and
 * localhost signed by it, as PEM files: {@code ca.pem} is what every client trusts (curl
 * {@code --cacert}, the JDK client's SSLContext, this client's {@code Trust.pemFile}). ECDSA P-256
 * keys and signatures throughout.
 */
record Pki(Path caPem, Path serverCertPem, Path serverKeyPem) {

    static Pki create(Path dir) throws IOException {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair caKeys = generator.generateKeyPair();
            KeyPair serverKeys = generator.generateKeyPair();
            var utils = new JcaX509ExtensionUtils();
            Instant now = Instant.now();
            Date from = Date.from(now.minus(Duration.ofHours(1))), until = Date.from(now.plus(Duration.ofDays(1)));

            X500Name caName = new X500Name("CN=ktls-uring-java benchmark CA (throwaway)");
            var ca = new JcaX509v3CertificateBuilder(caName, BigInteger.valueOf(now.toEpochMilli()), from, until,
                    caName, caKeys.getPublic());
            ca.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            ca.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            ca.addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(caKeys.getPublic()));
            X509Certificate caCert = new JcaX509CertificateConverter().getCertificate(
                    ca.build(new JcaContentSignerBuilder("SHA256withECDSA").build(caKeys.getPrivate())));

            var leaf = new JcaX509v3CertificateBuilder(caCert, BigInteger.valueOf(now.toEpochMilli() + 1), from, until,
                    new X500Name("CN=127.0.0.1"), serverKeys.getPublic());
            leaf.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            leaf.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            leaf.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            leaf.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                    new GeneralName(GeneralName.iPAddress, "127.0.0.1"), new GeneralName(GeneralName.dNSName, "localhost")}));
            leaf.addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(serverKeys.getPublic()));
            leaf.addExtension(Extension.authorityKeyIdentifier, false, utils.createAuthorityKeyIdentifier(caCert));
            X509Certificate serverCert = new JcaX509CertificateConverter().getCertificate(
                    leaf.build(new JcaContentSignerBuilder("SHA256withECDSA").build(caKeys.getPrivate())));

            Pki pki = new Pki(dir.resolve("ca.pem"), dir.resolve("server.pem"), dir.resolve("server.key"));
            writePem(pki.caPem, caCert);
            writePem(pki.serverCertPem, serverCert);
            // PKCS#8 as the JDK encodes it ("PRIVATE KEY"), which OpenSSL reads.
            Files.writeString(pki.serverKeyPem, "-----BEGIN PRIVATE KEY-----\n"
                    + java.util.Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(serverKeys.getPrivate().getEncoded())
                    + "\n-----END PRIVATE KEY-----\n");
            return pki;
        } catch (GeneralSecurityException | org.bouncycastle.operator.OperatorCreationException e) {
            throw new IOException("cannot make the benchmark's certificates: " + e.getMessage(), e);
        }
    }

    private static void writePem(Path file, Object object) throws IOException {
        try (Writer w = Files.newBufferedWriter(file); var pem = new JcaPEMWriter(w)) {
            pem.writeObject(object);
        }
    }
}
