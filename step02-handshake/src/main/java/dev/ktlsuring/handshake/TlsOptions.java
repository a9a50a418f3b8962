package dev.ktlsuring.handshake;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * What the client offers in its handshake and how it authenticates the server.
 *
 * @param versions     the versions to offer (at least one)
 * @param cipherSuites the suites to offer, in preference order; suites of a version not offered are ignored
 * @param trust        where trust anchors come from
 * @param alpn         the ALPN protocol names to offer (RFC 7301), e.g. {@code http/1.1}; empty for none
 */
public record TlsOptions(Set<TlsVersion> versions, List<CipherSuite> cipherSuites, Trust trust, List<String> alpn) {

    public TlsOptions {
        versions = Set.copyOf(versions);
        cipherSuites = List.copyOf(cipherSuites);
        alpn = List.copyOf(alpn);
        if (versions.isEmpty()) {
            throw new IllegalArgumentException("no TLS version to offer");
        }
        Set<TlsVersion> offered = versions;
        if (cipherSuites.stream().noneMatch(s -> offered.contains(s.version()))) {
            throw new IllegalArgumentException("none of the cipher suites " + cipherSuites
                    + " belongs to the offered versions " + versions);
        }
    }

    /** TLS 1.3 and 1.2, every kTLS-capable suite, the JDK's trust store, ALPN {@code http/1.1}. */
    public static TlsOptions defaults() {
        return new TlsOptions(EnumSet.allOf(TlsVersion.class), List.of(CipherSuite.values()), Trust.system(),
                List.of("http/1.1"));
    }

    /** The same options, offering only {@code version}. */
    public TlsOptions onlyVersion(TlsVersion version) {
        return new TlsOptions(Set.of(version), cipherSuites, trust, alpn);
    }

    /** The same options, offering only {@code suites}. */
    public TlsOptions onlySuites(List<CipherSuite> suites) {
        return new TlsOptions(versions, suites, trust, alpn);
    }

    /** The same options with other trust anchors. */
    public TlsOptions withTrust(Trust newTrust) {
        return new TlsOptions(versions, cipherSuites, newTrust, alpn);
    }

    /** The suites actually offered: those of an offered version. */
    public List<CipherSuite> offeredSuites() {
        return cipherSuites.stream().filter(s -> versions.contains(s.version())).toList();
    }
}
