package dev.ktlsuring.cli;

import dev.ktlsuring.client.RequestBodyException;
import dev.ktlsuring.handshake.CertificateRejectedException;
import dev.ktlsuring.http.EmptyResponseException;
import dev.ktlsuring.http.HttpProtocolException;
import dev.ktlsuring.http.TruncatedResponseException;
import dev.ktlsuring.io.KtlsUnavailableException;
import dev.ktlsuring.uring.UringUnavailableException;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;

/** The command's exit status: curl's numbers where curl has one for the same failure. */
enum ExitStatus {
    OK(0), FAILURE(1), USAGE(2), KTLS_UNAVAILABLE(4), URING_UNAVAILABLE(5), UNRESOLVED_HOST(6), CONNECT_FAILED(7),
    MALFORMED_RESPONSE(8), TRUNCATED(18), WRITE_ERROR(23), READ_ERROR(26), TIMEOUT(28), TLS_FAILED(35),
    EMPTY_REPLY(52), RECEIVE_ERROR(56), CERTIFICATE_REJECTED(60), CA_CERT_UNUSABLE(77);

    final int code;

    ExitStatus(int code) {
        this.code = code;
    }

    /** The status for an exception that ended the exchange. */
    static ExitStatus of(Throwable e) {
        return switch (e) {
            case UnknownHostException x -> UNRESOLVED_HOST;
            case ConnectException x -> CONNECT_FAILED;
            case NoRouteToHostException x -> CONNECT_FAILED;
            case SocketTimeoutException x -> TIMEOUT;
            case CertificateRejectedException x -> CERTIFICATE_REJECTED;
            case SSLHandshakeException x -> TLS_FAILED;
            case SSLException x -> RECEIVE_ERROR;
            case KtlsUnavailableException x -> KTLS_UNAVAILABLE;
            case UringUnavailableException x -> URING_UNAVAILABLE;
            case EmptyResponseException x -> EMPTY_REPLY;
            case TruncatedResponseException x -> TRUNCATED;
            case HttpProtocolException x -> MALFORMED_RESPONSE;
            case LocalFileException x -> x.status;
            case RequestBodyException x -> READ_ERROR;
            case NoSuchFileException x -> READ_ERROR;
            case AccessDeniedException x -> READ_ERROR;
            case OutputFailedException x -> WRITE_ERROR;
            case java.io.IOException x -> RECEIVE_ERROR;
            default -> FAILURE;
        };
    }
}
