package dev.ktlsuring.docs;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Checks the tutorial's sources before Asciidoctor renders them, so that the site cannot drift from
 * the code: every step module has its chapter, every listing is an {@code include::} of a tagged
 * region that exists in a step module's sources, no Java is pasted into a page, cross references
 * reach existing pages and explicit anchors, and the navigation names every page in one reading
 * order. Each step chapter's "Run it" section names exactly the test classes its module runs, listing
 * captions name their module and path, and every outside link is a well-formed https URL whose text
 * agrees with it. {@link RenderedSiteTest} checks the rendered pages.
 *
 * <p>Reads files only: the docs module depends on no step module. Asciidoctor itself fails the build on
 * any warning as well (a missing tag is one); this test says which file and tag in one report.
 */
class DocsStructureTest {

    /** {@code docs/src/docs/asciidoc}, set by the pom; the fallback works from {@code docs/}. */
    static final Path DOCS = Path.of(System.getProperty("docs.source", "src/docs/asciidoc")).toAbsolutePath().normalize();
    /** The repository root. */
    static final Path REPOSITORY = Path.of(System.getProperty("docs.repository", "..")).toAbsolutePath().normalize();

    static final Pattern STEP_MODULE = Pattern.compile("step\\d\\d-[a-z0-9-]+");
    static final Pattern INCLUDE = Pattern.compile("^include::([^\\[]+)\\[(.*)]\\s*$");
    static final Pattern TAG_ATTRIBUTE = Pattern.compile("(?:^|,)\\s*tags?=\"?([^,\"]+)\"?");
    static final Pattern NAV_ENTRY = Pattern.compile("^\\* xref:([a-z0-9-]+)\\.adoc\\[.+]\\s*$");
    static final Pattern JAVA_SOURCE = Pattern.compile("^\\[source,\\s*java\\b.*]\\s*$");
    static final Pattern KTLS_TAG = Pattern.compile("@Tag\\(\\s*\"ktls\"\\s*\\)");
    static final Pattern XREF = Pattern.compile("xref:([^\\[#{]+\\.adoc)(?:#([^\\[]+))?\\[");
    static final String NAV = "_nav.adoc", PAGER = "_pager.adoc";
    /** A test class as a chapter names it: in backticks. */
    static final Pattern TEST_CLASS_NAME = Pattern.compile("`([A-Z][A-Za-z0-9]*Test)`");
    /** Surefire's default includes: {@code Test*}, {@code *Test}, {@code *Tests}, {@code *TestCase}. */
    static final Pattern SUREFIRE_CLASS_FILE = Pattern.compile("(Test[A-Za-z0-9]*|[A-Za-z0-9]+(Test|Tests|TestCase))\\.java");
    /** What makes a class a test class for JUnit: a method with one of these annotations (helpers such as TestPki have none). */
    static final Pattern TEST_METHOD = Pattern.compile("@(Test|ParameterizedTest|RepeatedTest|TestFactory|TestTemplate|FuzzTest)\\b");
    /** An outside URL in AsciiDoc or Markdown: up to white space, or the bracket or parenthesis that ends it. */
    static final Pattern OUTSIDE_URL = Pattern.compile("\\b[a-z][a-z0-9+.-]*://[^\\s\\[\\]()<>\"`]+");
    /** An AsciiDoc URL macro with its text, {@code https://...[text]}, or a Markdown link, {@code [text](https://...)}. */
    static final Pattern ADOC_LINK = Pattern.compile("(https://[^\\s\\[\\]]+)\\[([^\\]]*)]");
    static final Pattern MD_LINK = Pattern.compile("\\[([^\\]]*)]\\((https://[^\\s)]+)\\)");
    /** How the pages cite an RFC section, and the address that section has on rfc-editor.org. */
    static final Pattern RFC_TEXT = Pattern.compile("^(?:RFC (\\d{4}))? ?(?:§(\\d+(?:\\.\\d+)*))?$");
    static final Pattern RFC_URL = Pattern.compile("^https://www\\.rfc-editor\\.org/rfc/rfc(\\d{4})(?:#section-(\\d+(?:\\.\\d+)*))?$");
    static final Pattern MAN_TEXT = Pattern.compile("^`([a-z0-9_]+)\\((\\d)\\)`$");
    /** A citation that should be a link: an RFC, or a man page in a code span, not already inside a link's text. */
    static final Pattern UNLINKED_RFC = Pattern.compile("(?<![\\[/\\w])RFC \\d{4}");
    static final Pattern UNLINKED_MAN = Pattern.compile("(?<!\\[)`[a-z0-9_]+\\(\\d\\)`");

    @Test
    void everyStepModuleHasAChapterWithItsTestCommand() throws IOException {
        List<String> modules = stepModules();
        assertThat(modules).as("step modules under " + REPOSITORY).isNotEmpty();

        List<String> problems = new ArrayList<>();
        for (String module : modules) {
            Path chapter = DOCS.resolve(module + ".adoc");
            if (!Files.isRegularFile(chapter)) {
                problems.add(module + ": no chapter " + REPOSITORY.relativize(chapter));
                continue;
            }
            String text = Files.readString(chapter);
            String command = "./mvnw -pl " + module + " test";
            if (!text.contains(command)) {
                problems.add(module + ".adoc does not show the command `" + command + "`");
            }
            // The same with an installed Maven: "mvn", not the tail of "./mvnw".
            if (!Pattern.compile("(?<![./\\w])mvn -pl " + Pattern.quote(module) + " test").matcher(text).find()) {
                problems.add(module + ".adoc does not show the command `mvn -pl " + module + " test`");
            }
            if (hasKtlsTaggedTests(module) && !text.contains(".ci/ktls-suite")) {
                problems.add(module + " has @Tag(\"ktls\") tests but " + module + ".adoc does not mention .ci/ktls-suite");
            }
        }
        assertThat(problems).as("chapters of the step modules").isEmpty();
    }

    @Test
    void everyIncludeResolvesToAnExistingFileAndTag() throws IOException {
        List<String> problems = new ArrayList<>();
        int listings = 0;
        for (Path adoc : adocFiles()) {
            List<String> lines = Files.readAllLines(adoc);
            for (int i = 0; i < lines.size(); i++) {
                Matcher m = INCLUDE.matcher(lines.get(i));
                if (!m.matches()) {
                    continue;
                }
                String where = DOCS.relativize(adoc) + ":" + (i + 1);
                String target = m.group(1);
                if (target.contains("{")) {
                    problems.add(where + ": include target uses an attribute, which this check cannot follow: " + target);
                    continue;
                }
                Path file = adoc.getParent().resolve(target).normalize();
                if (!Files.isRegularFile(file)) {
                    problems.add(where + ": no such file " + target);
                    continue;
                }
                List<String> tags = tags(m.group(2));
                if (target.endsWith(".java")) {
                    listings++;
                    String relative = REPOSITORY.relativize(file).toString().replace('\\', '/');
                    if (!relative.matches("(step\\d\\d-[a-z0-9-]+|final)/src/(main|test)/java/.+")) {
                        problems.add(where + ": a listing must come from a step module's or final's src/main/java or src/test/java: " + relative);
                    }
                    if (tags.isEmpty()) {
                        problems.add(where + ": a listing must select a tagged region (tag=NAME): " + target);
                    }
                }
                String content = Files.readString(file);
                for (String tag : tags) {
                    if (!content.contains("tag::" + tag + "[]") || !content.contains("end::" + tag + "[]")) {
                        problems.add(where + ": " + target + " has no region tag::" + tag + "[] ... end::" + tag + "[]");
                    }
                }
            }
        }
        assertThat(problems).as("includes").isEmpty();
        assertThat(listings).as("Java listings included from the step modules").isPositive();
    }

    @Test
    void javaListingsAreIncludedNeverPasted() throws IOException {
        List<String> problems = new ArrayList<>();
        for (Path adoc : adocFiles()) {
            List<String> lines = Files.readAllLines(adoc);
            for (int i = 0; i < lines.size(); i++) {
                if (!JAVA_SOURCE.matcher(lines.get(i)).matches()) {
                    continue;
                }
                int open = i + 1;
                if (open >= lines.size() || !lines.get(open).equals("----")) {
                    problems.add(DOCS.relativize(adoc) + ":" + (i + 1) + ": a [source,java] block must be a ---- block of include:: lines");
                    continue;
                }
                for (int j = open + 1; j < lines.size() && !lines.get(j).equals("----"); j++) {
                    String line = lines.get(j);
                    if (!line.isBlank() && !line.startsWith("include::")) {
                        problems.add(DOCS.relativize(adoc) + ":" + (j + 1) + ": Java pasted into the page: " + line.strip());
                    }
                }
            }
        }
        assertThat(problems).as("Java listings").isEmpty();
    }

    @Test
    void navigationNamesEveryPageInOneReadingOrder() throws IOException {
        List<String> order = new ArrayList<>();
        for (String line : Files.readAllLines(DOCS.resolve(NAV))) {
            Matcher m = NAV_ENTRY.matcher(line);
            if (m.matches()) {
                order.add(m.group(1));
            }
        }
        List<String> pages = new ArrayList<>();
        try (Stream<Path> files = Files.list(DOCS)) {
            files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".adoc") && !n.startsWith("_"))
                    .map(n -> n.substring(0, n.length() - ".adoc".length()))
                    .sorted()
                    .forEach(pages::add);
        }
        assertThat(order).as("pages listed in " + NAV).doesNotHaveDuplicates();
        assertThat(new TreeSet<>(order)).as("pages listed in " + NAV + " vs. the pages in " + DOCS)
                .containsExactlyElementsOf(pages);
        assertThat(order.getFirst()).as("the first page").isEqualTo("index");

        List<String> problems = new ArrayList<>();
        for (int i = 0; i < order.size(); i++) {
            String page = order.get(i);
            Path file = DOCS.resolve(page + ".adoc");
            Map<String, String> header = headerAttributes(file);
            Optional<String> expectedPrev = i == 0 ? Optional.empty() : Optional.of(order.get(i - 1));
            Optional<String> expectedNext = i == order.size() - 1 ? Optional.empty() : Optional.of(order.get(i + 1));
            if (!Optional.ofNullable(header.get("nav-prev")).equals(expectedPrev)) {
                problems.add(page + ".adoc: :nav-prev: is " + header.get("nav-prev") + ", the reading order says " + expectedPrev.orElse("(none)"));
            }
            if (!Optional.ofNullable(header.get("nav-next")).equals(expectedNext)) {
                problems.add(page + ".adoc: :nav-next: is " + header.get("nav-next") + ", the reading order says " + expectedNext.orElse("(none)"));
            }
            String text = Files.readString(file);
            if (!text.contains("include::" + NAV + "[]") || !text.contains("include::" + PAGER + "[]")) {
                problems.add(page + ".adoc must include " + NAV + " after its header and " + PAGER + " at its end");
            }
        }
        assertThat(problems).as("navigation").isEmpty();
    }

    @Test
    void crossReferencesPointAtExistingPagesAndAnchors() throws IOException {
        List<String> problems = new ArrayList<>();
        int checked = 0;
        for (Path adoc : adocFiles()) {
            List<String> lines = Files.readAllLines(adoc);
            for (int i = 0; i < lines.size(); i++) {
                Matcher m = XREF.matcher(lines.get(i));
                while (m.find()) {
                    checked++;
                    String where = DOCS.relativize(adoc) + ":" + (i + 1);
                    Path target = adoc.getParent().resolve(m.group(1)).normalize();
                    if (!Files.isRegularFile(target)) {
                        problems.add(where + ": no page " + m.group(1));
                        continue;
                    }
                    String anchor = m.group(2);
                    if (anchor != null) {
                        String text = Files.readString(target);
                        if (!text.contains("[#" + anchor + "]") && !text.contains("[[" + anchor + "]]")) {
                            problems.add(where + ": " + m.group(1) + " has no explicit anchor [#" + anchor + "]");
                        }
                    }
                }
            }
        }
        assertThat(problems).as("cross references").isEmpty();
        assertThat(checked).as("cross references checked").isPositive();
    }

    /**
     * The "Run it" section of each step chapter says which test classes the command runs: its sentence
     * "Surefire runs ..." names exactly the module's test classes that the normal build runs (those not
     * tagged {@code ktls} as a whole), and the section names every class with {@code ktls}-tagged tests
     * together with the {@code .ci/ktls-suite} command that runs them. A renamed, added or moved test
     * class fails this until the chapter says so.
     */
    @Test
    void runItSectionsNameTheModulesTestClasses() throws IOException {
        List<String> problems = new ArrayList<>();
        for (String module : stepModules()) {
            Path chapter = DOCS.resolve(module + ".adoc");
            if (!Files.isRegularFile(chapter)) {
                continue;   // reported by everyStepModuleHasAChapterWithItsTestCommand
            }
            Optional<String> section = runItSection(Files.readString(chapter));
            if (section.isEmpty()) {
                problems.add(module + ".adoc has no section \"== Run it\"");
                continue;
            }
            Map<String, String> classes = testClasses(module);
            TreeSet<String> normal = new TreeSet<>(), ktls = new TreeSet<>();
            classes.forEach((name, source) -> {
                if (!taggedKtlsAsAWhole(name, source)) {
                    normal.add(name);
                }
                if (KTLS_TAG.matcher(source).find()) {
                    ktls.add(name);
                }
            });
            String text = section.get();
            Optional<String> sentence = sentenceStartingWith(text, "Surefire runs");
            if (sentence.isEmpty()) {
                problems.add(module + ".adoc: its Run it section has no sentence \"Surefire runs ...\" naming the test classes");
                continue;
            }
            TreeSet<String> named = testClassNames(sentence.get());
            if (!named.equals(normal)) {
                problems.add(module + ".adoc: Run it says Surefire runs " + named + ", but the module's test classes that the normal build runs are "
                        + normal + " (missing: " + difference(normal, named) + ", not in the module or tagged ktls as a whole: " + difference(named, normal) + ")");
            }
            TreeSet<String> mentioned = testClassNames(text);
            if (!mentioned.containsAll(ktls)) {
                problems.add(module + ".adoc: Run it does not name the ktls-tagged " + difference(ktls, mentioned));
            }
            if (!ktls.isEmpty() && !text.contains(".ci/ktls-suite " + module)) {
                problems.add(module + ".adoc: Run it does not show `.ci/ktls-suite " + module + "` for its ktls-tagged tests");
            }
            TreeSet<String> unknown = difference(mentioned, new TreeSet<>(classes.keySet()));
            if (!unknown.isEmpty()) {
                problems.add(module + ".adoc: Run it names test classes " + module + " does not have: " + unknown);
            }
        }
        assertThat(problems).as("Run it sections against the modules' test classes").isEmpty();
    }

    /**
     * A listing's caption starts with the module and the path under {@code src/main/java} or
     * {@code src/test/java} of the file it includes ({@code .step01-uring-connect: dev/ktlsuring/uring/IoUring.java}),
     * so that a reader can find it. Checked in the step chapters and the index.
     */
    @Test
    void listingCaptionsNameModuleAndPath() throws IOException {
        List<String> problems = new ArrayList<>();
        int checked = 0;
        for (Path adoc : adocFiles()) {
            String name = adoc.getFileName().toString();
            if (!STEP_MODULE.matcher(name.replace(".adoc", "")).matches() && !name.equals("index.adoc")) {
                continue;
            }
            List<String> lines = Files.readAllLines(adoc);
            for (int i = 0; i < lines.size(); i++) {
                if (!JAVA_SOURCE.matcher(lines.get(i)).matches() || i + 2 >= lines.size()) {
                    continue;
                }
                Matcher include = Pattern.compile("^include::(?:\\.\\./)+((?:step\\d\\d-[a-z0-9-]+|final))/src/(?:main|test)/java/([^\\[]+)\\[")
                        .matcher(lines.get(i + 2));
                if (!include.find()) {
                    continue;   // javaListingsAreIncludedNeverPasted reports it
                }
                checked++;
                String expected = "." + include.group(1) + ": " + include.group(2);
                String caption = i > 0 ? lines.get(i - 1) : "";
                if (!caption.equals(expected) && !caption.startsWith(expected + " ")) {
                    problems.add(DOCS.relativize(adoc) + ":" + i + ": the caption should start with `" + expected + "`, it is `" + caption + "`");
                }
            }
        }
        assertThat(problems).as("listing captions").isEmpty();
        assertThat(checked).as("captions checked").isPositive();
    }

    /**
     * Every outside link in the pages and in the README is a well-formed https URL with a host, and a
     * link's text agrees with where it goes: {@code RFC 8446 §5.1} goes to that section on
     * rfc-editor.org ({@code #section-5.1}), {@code `recv(2)`} to that man page on man7.org.
     */
    @Test
    void outsideLinksAreWellFormedHttpsUrls() throws IOException {
        List<String> problems = new ArrayList<>();
        int checked = 0;
        List<Path> files = new ArrayList<>(adocFiles());
        files.add(REPOSITORY.resolve("README.md"));
        for (Path file : files) {
            List<String> lines = Files.readAllLines(file);
            boolean markdown = file.toString().endsWith(".md");
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                String where = REPOSITORY.relativize(file) + ":" + (i + 1);
                Matcher url = OUTSIDE_URL.matcher(line);
                while (url.find()) {
                    checked++;
                    urlProblem(url.group()).ifPresent(p -> problems.add(where + ": " + p));
                }
                Matcher link = markdown ? MD_LINK.matcher(line) : ADOC_LINK.matcher(line);
                while (link.find()) {
                    String target = markdown ? link.group(2) : link.group(1);
                    String text = markdown ? link.group(1) : link.group(2);
                    linkTextProblem(target, text).ifPresent(p -> problems.add(where + ": " + p));
                }
            }
        }
        assertThat(problems).as("outside links").isEmpty();
        assertThat(checked).as("outside links checked").isPositive();
    }

    /**
     * RFCs and man pages are cited as links, never as plain text: in the step chapters, the index,
     * the troubleshooting page and the kTLS VM page (the final and performance chapters are not yet
     * covered). Listings and other literal blocks are left alone.
     */
    @Test
    void rfcsAndManPagesAreCitedAsLinks() throws IOException {
        List<String> problems = new ArrayList<>();
        for (Path adoc : adocFiles()) {
            String name = adoc.getFileName().toString();
            if (name.equals("final.adoc") || name.equals("performance.adoc") || adoc.getParent().endsWith("perf")) {
                continue;
            }
            List<String> lines = Files.readAllLines(adoc);
            boolean literal = false;
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                if (line.equals("----") || line.equals("....")) {
                    literal = !literal;
                    continue;
                }
                if (literal || line.startsWith("include::") || line.startsWith("//")) {
                    continue;
                }
                String outsideLinks = ADOC_LINK.matcher(line).replaceAll("");
                for (Pattern citation : List.of(UNLINKED_RFC, UNLINKED_MAN)) {
                    Matcher m = citation.matcher(outsideLinks);
                    while (m.find()) {
                        problems.add(DOCS.relativize(adoc) + ":" + (i + 1) + ": " + m.group() + " is not a link");
                    }
                }
            }
        }
        assertThat(problems).as("RFC and man page citations").isEmpty();
    }

    /** Why {@code url} is not a well-formed outside link, if it is not. */
    static Optional<String> urlProblem(String url) {
        if (!url.startsWith("https://")) {
            return Optional.of(url + ": an outside link must be https://");
        }
        try {
            URI uri = new URI(url);
            if (uri.getHost() == null || !uri.getHost().contains(".") || uri.getHost().startsWith(".") || uri.getHost().endsWith(".")) {
                return Optional.of(url + ": no valid host name");
            }
            if (url.endsWith(".") || url.endsWith(",") || url.endsWith(";") || url.endsWith(":")) {
                return Optional.of(url + ": ends with punctuation, which is part of the link");
            }
            if (uri.getRawFragment() != null && uri.getRawFragment().isEmpty()) {
                return Optional.of(url + ": empty fragment");
            }
        } catch (URISyntaxException e) {
            return Optional.of(url + ": " + e.getMessage());
        }
        return Optional.empty();
    }

    /** Why the text of a link to {@code target} does not agree with it, if it does not. */
    static Optional<String> linkTextProblem(String target, String text) {
        Matcher rfcText = RFC_TEXT.matcher(text);
        Matcher rfcUrl = RFC_URL.matcher(target);
        if (target.startsWith("https://www.rfc-editor.org/")) {
            if (!rfcUrl.matches()) {
                return Optional.of(target + ": an RFC link is https://www.rfc-editor.org/rfc/rfcNNNN, optionally with #section-N.N");
            }
            if (!text.isBlank() && rfcText.matches()) {
                if (rfcText.group(1) != null && !rfcText.group(1).equals(rfcUrl.group(1))) {
                    return Optional.of(target + " is labelled `" + text + "`: another RFC");
                }
                if (!Objects.equals(rfcText.group(2), rfcUrl.group(2))) {
                    return Optional.of(target + " is labelled `" + text + "`: another section");
                }
            }
        } else if (rfcText.matches() && !text.isBlank()) {
            return Optional.of("`" + text + "` links to " + target + ", not to rfc-editor.org");
        }
        Matcher man = MAN_TEXT.matcher(text);
        if (man.matches()) {
            String expected = "https://man7.org/linux/man-pages/man" + man.group(2) + "/" + man.group(1) + "." + man.group(2) + ".html";
            if (!target.equals(expected)) {
                return Optional.of("`" + text + "` links to " + target + ", expected " + expected);
            }
        }
        return Optional.empty();
    }

    /** The text of the section {@code == Run it}, up to the next section or the end of the page. */
    static Optional<String> runItSection(String chapter) {
        Matcher m = Pattern.compile("(?m)^== Run it\\s*$").matcher(chapter);
        if (!m.find()) {
            return Optional.empty();
        }
        String rest = chapter.substring(m.end());
        Matcher next = Pattern.compile("(?m)^==? ").matcher(rest);
        return Optional.of(next.find() ? rest.substring(0, next.start()) : rest);
    }

    /** The sentence of {@code text} that starts with {@code start}: up to a full stop outside code spans. */
    static Optional<String> sentenceStartingWith(String text, String start) {
        int from = text.indexOf(start);
        if (from < 0) {
            return Optional.empty();
        }
        boolean code = false;
        for (int i = from; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '`') {
                code = !code;
            } else if (c == '.' && !code && (i + 1 == text.length() || Character.isWhitespace(text.charAt(i + 1)))) {
                return Optional.of(text.substring(from, i + 1));
            }
        }
        return Optional.of(text.substring(from));
    }

    static TreeSet<String> testClassNames(String text) {
        TreeSet<String> names = new TreeSet<>();
        Matcher m = TEST_CLASS_NAME.matcher(text);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    static TreeSet<String> difference(TreeSet<String> a, TreeSet<String> b) {
        TreeSet<String> d = new TreeSet<>(a);
        d.removeAll(b);
        return d;
    }

    /** A module's test classes, as Surefire finds them by name and JUnit by their test methods, with their sources. */
    private static Map<String, String> testClasses(String module) throws IOException {
        Map<String, String> classes = new LinkedHashMap<>();
        Path tests = REPOSITORY.resolve(module).resolve("src/test/java");
        if (!Files.isDirectory(tests)) {
            return classes;
        }
        try (Stream<Path> files = Files.walk(tests)) {
            for (Path file : files.filter(p -> SUREFIRE_CLASS_FILE.matcher(p.getFileName().toString()).matches()).sorted().toList()) {
                String source = Files.readString(file);
                String name = file.getFileName().toString().replace(".java", "");
                if (TEST_METHOD.matcher(source).find()
                        && !Pattern.compile("\\babstract\\s+class\\s+" + name + "\\b").matcher(source).find()) {
                    classes.put(name, source);
                }
            }
        }
        return classes;
    }

    /** Whether the class itself carries {@code @Tag("ktls")}, so that the normal build runs none of it. */
    static boolean taggedKtlsAsAWhole(String name, String source) {
        Matcher declaration = Pattern.compile("(?m)^[\\w\\s]*\\bclass\\s+" + name + "\\b").matcher(source);
        return declaration.find() && KTLS_TAG.matcher(source.substring(0, declaration.start())).find();
    }

    private static List<String> stepModules() throws IOException {
        try (Stream<Path> dirs = Files.list(REPOSITORY)) {
            return dirs.filter(d -> STEP_MODULE.matcher(d.getFileName().toString()).matches())
                    .filter(d -> Files.isRegularFile(d.resolve("pom.xml")))
                    .map(d -> d.getFileName().toString())
                    .sorted()
                    .toList();
        }
    }

    private static boolean hasKtlsTaggedTests(String module) throws IOException {
        Path tests = REPOSITORY.resolve(module).resolve("src/test/java");
        if (!Files.isDirectory(tests)) {
            return false;
        }
        try (Stream<Path> files = Files.walk(tests)) {
            return files.filter(p -> p.toString().endsWith(".java")).anyMatch(p -> {
                try {
                    return KTLS_TAG.matcher(Files.readString(p)).find();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }

    private static List<Path> adocFiles() throws IOException {
        try (Stream<Path> files = Files.walk(DOCS)) {
            List<Path> adocs = files.filter(p -> p.toString().endsWith(".adoc")).sorted().toList();
            assertThat(adocs).as(".adoc files under " + DOCS).isNotEmpty();
            return adocs;
        }
    }

    /** The tags an include selects: {@code tag=a} or {@code tags=a;b}; negations and wildcards are skipped. */
    private static List<String> tags(String attributes) {
        List<String> tags = new ArrayList<>();
        Matcher m = TAG_ATTRIBUTE.matcher(attributes);
        while (m.find()) {
            for (String tag : m.group(1).split(";")) {
                String t = tag.strip();
                if (!t.isEmpty() && !t.startsWith("!") && !t.contains("*")) {
                    tags.add(t);
                }
            }
        }
        return tags;
    }

    /** The {@code :name: value} lines of the document header: from the title to the first blank line. */
    private static Map<String, String> headerAttributes(Path adoc) throws IOException {
        Map<String, String> attributes = new LinkedHashMap<>();
        List<String> lines = Files.readAllLines(adoc);
        boolean inHeader = false;
        for (String line : lines) {
            if (!inHeader) {
                inHeader = line.startsWith("= ");
                continue;
            }
            if (line.isBlank()) {
                break;
            }
            Matcher m = Pattern.compile("^:([a-z0-9-]+):\\s*(.*)$").matcher(line);
            if (m.matches()) {
                attributes.put(m.group(1), m.group(2).strip());
            }
        }
        return attributes;
    }
}
