package dev.ktlsuring.http;

import com.code_intelligence.jazzer.junit.FuzzTest;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A coverage-guided fuzz test (Jazzer) of the HTTP/1.1 response parser: the bytes a hostile server
 * could send, read as a keep-alive sequence of responses.
 *
 * <p>The invariants, for any input: the reader fails only with an {@link IOException} (in practice
 * {@link HttpProtocolException} or its subclass {@link TruncatedResponseException}), never with a
 * runtime exception; the bodies it returns add up to no more bytes than the input; and the outcome is
 * the same whether the bytes arrive all at once, one at a time or seven at a time, and whether the
 * body is kept in memory or streamed.
 *
 * <p>In a plain {@code ./mvnw test} (no {@code JAZZER_FUZZ}) the target runs once per seed in
 * {@code src/test/resources/dev/ktlsuring/http/ResponseReaderFuzzTestInputs/responses/} (Jazzer's
 * regression mode). To fuzz, which also writes any crashing input to that directory so that every
 * later test run replays it:
 * <pre>
 * JAZZER_FUZZ=1 ./mvnw -pl step05-uring-io test -Dtest=ResponseReaderFuzzTest -Djazzer.max_duration=10m
 * </pre>
 */
class ResponseReaderFuzzTest {

    /** Small, so that fuzzed inputs reach the in-memory body limit. */
    private static final long MAX_BODY = 4096;
    /** More responses than any small input can frame; bounds the loop. */
    private static final int MAX_RESPONSES = 16;

    @FuzzTest
    void responses(byte[] input) {
        for (String method : List.of("GET", "HEAD")) {
            for (boolean authenticEnd : List.of(true, false)) {
                List<String> whole = outcome(input, input.length + 1, authenticEnd, method, MAX_BODY, false);
                assertThat(outcome(input, 7, authenticEnd, method, MAX_BODY, false)).isEqualTo(whole);
                // A streamed body has no size limit: compare it with an in-memory read without one.
                assertThat(outcome(input, 1, authenticEnd, method, Long.MAX_VALUE, true))
                        .isEqualTo(outcome(input, input.length + 1, authenticEnd, method, Long.MAX_VALUE, false));
            }
        }
    }

    /**
     * Reads responses until the reader fails or the connection is not reusable; returns one line per
     * response and one for the failure, so that two ways of delivering the same bytes can be compared.
     */
    private static List<String> outcome(byte[] input, int piece, boolean authenticEnd, String method, long maxBody,
                                        boolean stream) {
        var source = new ResponseReaderTest.Bytes(input, piece, authenticEnd, new int[1]);
        var reader = new ResponseReader(source, maxBody);
        List<String> lines = new ArrayList<>();
        long bodyBytes = 0;
        try {
            for (int i = 0; i < MAX_RESPONSES; i++) {
                var streamed = new ByteArrayOutputStream();
                HttpResponse r = reader.read(method, head -> stream ? streamed : null);
                byte[] body = stream ? streamed.toByteArray() : r.body();
                bodyBytes += body.length;
                assertThat(bodyBytes).as("bodies never hold more than the input").isLessThanOrEqualTo(input.length);
                lines.add(r.statusLine() + " " + r.headers() + " " + java.util.HexFormat.of().formatHex(body));
                if (!reader.reusable()) {
                    break;
                }
            }
        } catch (IOException e) {
            lines.add(e.getClass().getSimpleName() + ": " + e.getMessage());
        }
        return lines;
    }
}
