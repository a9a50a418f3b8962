package dev.ktlsuring.docs;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * order.
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
