package dev.ktlsuring.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command's arguments as the bytes that were typed. The JVM decodes {@code argv} with the
 * locale's charset: bytes that are not valid in it become U+FFFD, and under {@code LANG=C} that is
 * every byte above 0x7F, {@code é} included. curl sends a {@code -d} or {@code -H} argument's bytes as
 * they are, so this command reads them again from {@code /proc/self/cmdline}.
 *
 * <p>They are decoded as UTF-8, and each byte that is not part of valid UTF-8 is kept as the lone
 * surrogate U+DC80 + (byte - 0x80), as Python's {@code surrogateescape} does: no valid text contains
 * one, and {@link #bytes} turns it back into its byte.
 */
final class Arguments {

    private static final char ESCAPE = 0xDC00;

    private Arguments() {
    }

    /** {@code args} as typed, read from {@code /proc/self/cmdline}; {@code args} itself if that cannot be read. */
    static String[] typed(String[] args) {
        try {
            return typed(args, Files.readAllBytes(Path.of("/proc/self/cmdline")));
        } catch (IOException | RuntimeException e) {
            return args;
        }
    }

    /**
     * {@code args} as {@code cmdline} (NUL-terminated arguments, the program's last) has them. If the
     * two do not line up, the JVM's own {@code args} are kept: the command line was not what it seems.
     */
    static String[] typed(String[] args, byte[] cmdline) {
        List<byte[]> all = new ArrayList<>();
        for (int start = 0, i = 0; i < cmdline.length; i++) {
            if (cmdline[i] == 0) {
                all.add(java.util.Arrays.copyOfRange(cmdline, start, i));
                start = i + 1;
            }
        }
        if (all.size() < args.length) {
            return args;
        }
        String[] typed = new String[args.length];
        for (int i = 0; i < args.length; i++) {
            typed[i] = decode(all.get(all.size() - args.length + i));
            if (args[i].chars().allMatch(c -> c < 0x80) && !typed[i].equals(args[i])) {
                return args;                               // an ASCII argument reads the same in any locale
            }
        }
        return typed;
    }

    /** {@code raw} as UTF-8, each byte of an invalid sequence kept as U+DC80 + (byte - 0x80). */
    static String decode(byte[] raw) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(raw);
        CharBuffer out = CharBuffer.allocate(raw.length);
        while (true) {
            CoderResult result = decoder.decode(in, out, true);
            if (result.isUnderflow()) {
                break;
            }
            for (int i = 0; i < result.length(); i++) {
                out.put((char) (ESCAPE | (in.get() & 0xFF)));
            }
        }
        decoder.flush(out);
        return out.flip().toString();
    }

    /** The bytes {@code text} stands for: its UTF-8, with each escaped byte of {@link #decode} as it was. */
    static byte[] bytes(String text) {
        var out = new ByteArrayOutputStream(text.length());
        int plain = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (escaped(text, i)) {
                out.writeBytes(text.substring(plain, i).getBytes(StandardCharsets.UTF_8));
                out.write(c & 0xFF);
                plain = i + 1;
            }
        }
        out.writeBytes(text.substring(plain).getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    /** Whether {@code text} holds a byte that is not valid UTF-8 (see {@link #decode}). */
    static boolean hasInvalidBytes(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (escaped(text, i)) {
                return true;
            }
        }
        return false;
    }

    /** A lone low surrogate U+DC80..U+DCFF: a byte {@link #decode} kept. */
    private static boolean escaped(String text, int i) {
        char c = text.charAt(i);
        return c >= 0xDC80 && c <= 0xDCFF && (i == 0 || !Character.isHighSurrogate(text.charAt(i - 1)));
    }
}
