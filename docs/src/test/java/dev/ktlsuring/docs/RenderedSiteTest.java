package dev.ktlsuring.docs;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Checks the pages Asciidoctor rendered, for what only shows after rendering: a code span whose
 * backticks were not taken as markup (Asciidoctor reads {@code `name`'s} as a curved apostrophe and
 * leaves the other backtick in the text), an attribute reference that nothing defined (left as
 * {@code {name}}), and outside links that are not https.
 *
 * <p>Runs in the docs module's {@code package} phase, after {@code prepare-package} has rendered
 * the site into {@code docs/target/site} ({@code ./mvnw -pl docs package}).
 */
class RenderedSiteTest {

    /** {@code docs/target/site}, set by the pom; the fallback works from {@code docs/}. */
    static final Path SITE = Path.of(System.getProperty("docs.site", "target/site")).toAbsolutePath().normalize();

    /** Literal blocks and what is not page text: their backticks and braces are code, not markup. */
    static final Pattern NOT_TEXT = Pattern.compile("(?is)<head\\b.*?</head>|<pre\\b.*?</pre>|<script\\b.*?</script>|<style\\b.*?</style>|<svg\\b.*?</svg>");
    static final Pattern TAG = Pattern.compile("<[^>]*>");
    static final Pattern ATTRIBUTE_REFERENCE = Pattern.compile("\\{[A-Za-z0-9_][A-Za-z0-9_-]*}");
    static final Pattern HREF = Pattern.compile("\\bhref=\"([a-z][a-z0-9+.-]*:[^\"]*)\"");

    @Test
    void renderedTextHasNoStrayBackticksOrUnresolvedAttributes() throws IOException {
        List<String> problems = new ArrayList<>();
        List<Path> pages = pages();
        for (Path page : pages) {
            problems.addAll(textProblems(SITE.relativize(page).toString(), Files.readString(page)));
        }
        assertThat(problems).as("rendered text in " + SITE).isEmpty();
    }

    @Test
    void renderedOutsideLinksAreHttps() throws IOException {
        List<String> problems = new ArrayList<>();
        int links = 0;
        for (Path page : pages()) {
            Matcher href = HREF.matcher(Files.readString(page));
            while (href.find()) {
                links++;
                Matcher url = DocsStructureTest.OUTSIDE_URL.matcher(href.group(1));
                if (url.lookingAt()) {
                    DocsStructureTest.urlProblem(href.group(1).replace("&amp;", "&"))
                            .ifPresent(p -> problems.add(SITE.relativize(page) + ": " + p));
                } else if (!href.group(1).startsWith("mailto:")) {
                    problems.add(SITE.relativize(page) + ": " + href.group(1) + ": not an outside link Asciidoctor should produce");
                }
            }
        }
        assertThat(problems).as("outside links in " + SITE).isEmpty();
        assertThat(links).as("outside links in the rendered pages").isPositive();
    }

    /** The check itself, on a page as Asciidoctor renders the broken spans this test was written for. */
    @Test
    void theTextCheckFindsABrokenCodeSpanAndAnUnresolvedAttribute() {
        String page = """
                <html><head><style>code{color:red}</style></head><body>
                <p>all of FallbackTest&#8217;s GETs, and its `KTLS</code>-mode test</p>
                <p>see {missing-attribute} here</p>
                <pre>int[] a = {x}; String s = "`";</pre>
                <p>a <code>SocketAddressesTest</code> and {nbsp}-free text</p>
                </body></html>
                """;

        assertThat(textProblems("page.html", page))
                .hasSize(3)
                .anySatisfy(p -> assertThat(p).contains("stray backtick").contains("`KTLS-mode"))
                .anySatisfy(p -> assertThat(p).contains("unresolved attribute {missing-attribute}"))
                .anySatisfy(p -> assertThat(p).contains("unresolved attribute {nbsp}"));
    }

    /** The stray backticks and unresolved attribute references in a page's text, with some context. */
    static List<String> textProblems(String name, String html) {
        String text = TAG.matcher(NOT_TEXT.matcher(html).replaceAll(" ")).replaceAll("");
        List<String> problems = new ArrayList<>();
        for (int i = text.indexOf('`'); i >= 0; i = text.indexOf('`', i + 1)) {
            problems.add(name + ": stray backtick, a code span that did not render: …" + context(text, i) + "…");
        }
        Matcher attribute = ATTRIBUTE_REFERENCE.matcher(text);
        while (attribute.find()) {
            problems.add(name + ": unresolved attribute " + attribute.group() + ": …" + context(text, attribute.start()) + "…");
        }
        return problems;
    }

    private static String context(String text, int at) {
        return text.substring(Math.max(0, at - 50), Math.min(text.length(), at + 50)).replaceAll("\\s+", " ");
    }

    private static List<Path> pages() throws IOException {
        assertThat(SITE.resolve("index.html"))
                .as("the rendered site (./mvnw -pl docs package renders it before this test)")
                .isRegularFile();
        try (Stream<Path> files = Files.walk(SITE)) {
            List<Path> pages = files.filter(p -> p.toString().endsWith(".html")).sorted().toList();
            assertThat(pages).as("pages in " + SITE).isNotEmpty();
            return pages;
        }
    }
}
