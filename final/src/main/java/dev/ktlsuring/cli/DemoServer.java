package dev.ktlsuring.cli;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The demo's server: the JDK's HTTPS server on 127.0.0.1 with a throwaway self-signed certificate
 * (made fresh each run, valid for a day, for 127.0.0.1 and localhost). {@code /demo} answers every
 * method with what it received.
 */
final class DemoServer implements AutoCloseable {

    private final HttpsServer server;
    private final X509Certificate certificate;
    private final ExecutorService executor = Executors.newSingleThreadExecutor();

    DemoServer() throws IOException, GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair keys = generator.generateKeyPair();
        certificate = selfSigned(keys);

        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("demo", keys.getPrivate(), new char[0], new X509Certificate[] {certificate});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance("SunX509");
        kmf.init(store, new char[0]);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), new TrustManager[0], new SecureRandom());

        server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        server.setHttpsConfigurator(new HttpsConfigurator(context));
        server.createContext("/demo", exchange -> {
            byte[] received;
            try (InputStream in = exchange.getRequestBody()) {
                received = in.readAllBytes();
            }
            byte[] reply = ("{\"method\":\"" + exchange.getRequestMethod() + "\",\"received\":"
                    + received.length + ",\"body\":\"" + new String(received, StandardCharsets.UTF_8)
                    .replace("\\", "\\\\").replace("\"", "\\\"") + "\"}\n").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, reply.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(reply);
            }
        });
        server.setExecutor(executor);
        server.start();
    }

    /**
     * Also answers GET {@code path} with {@code length} bytes (a repeating pattern), for the
     * ahead-of-time cache's training run ({@link AotTraining}), which downloads as well.
     */
    void serveBytes(String path, long length) {
        server.createContext(path, exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.getResponseHeaders().add("Content-Type", "application/octet-stream");
            exchange.sendResponseHeaders(200, length);
            byte[] piece = new byte[64 * 1024];
            for (int i = 0; i < piece.length; i++) {
                piece[i] = (byte) i;
            }
            try (OutputStream out = exchange.getResponseBody()) {
                for (long left = length; left > 0; left -= piece.length) {
                    out.write(piece, 0, (int) Math.min(piece.length, left));
                }
            }
        });
    }

    int port() {
        return server.getAddress().getPort();
    }

    X509Certificate certificate() {
        return certificate;
    }

    private static X509Certificate selfSigned(KeyPair keys) throws GeneralSecurityException, IOException {
        X500Name name = new X500Name("CN=ktls-uring-java demo");
        Instant now = Instant.now();
        var builder = new JcaX509v3CertificateBuilder(name, new BigInteger(64, new SecureRandom()),
                Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(Duration.ofDays(1))), name, keys.getPublic());
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                new GeneralName(GeneralName.iPAddress, "127.0.0.1"), new GeneralName(GeneralName.dNSName, "localhost")}));
        try {
            return new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
