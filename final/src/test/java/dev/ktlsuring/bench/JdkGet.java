package dev.ktlsuring.bench;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;

/**
 * The cold scenario's JDK client ({@link ColdStart}): one GET with {@code java.net.http.HttpClient}
 * (HTTP/1.1, SunJSSE), trusting the CA in a PEM file, the body written to a file, as a program
 * someone would write for the job and run as a fresh JVM with no options:
 * {@code java -cp DIR dev.ktlsuring.bench.JdkGet CA.pem URL FILE}. Exit status 0, or 22 (curl's
 * {@code --fail}) for a status other than 200.
 */
public final class JdkGet {

    private JdkGet() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: JdkGet CA.pem URL FILE");
            System.exit(2);
        }
        KeyStore anchors = KeyStore.getInstance(KeyStore.getDefaultType());
        anchors.load(null, null);
        try (InputStream in = Files.newInputStream(Path.of(args[0]))) {
            anchors.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(anchors);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, trust.getTrustManagers(), null);
        try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(tls).build()) {
            HttpResponse<Path> response = client.send(HttpRequest.newBuilder(URI.create(args[1])).build(),
                    HttpResponse.BodyHandlers.ofFile(Path.of(args[2])));
            if (response.statusCode() != 200) {
                System.err.println("JdkGet: HTTP " + response.statusCode());
                System.exit(22);
            }
        }
    }
}
