package dev.ktlsuring.uring;

import java.io.IOException;
import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.PaddingLayout;
import java.lang.foreign.SequenceLayout;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;

/**
 * Compares every struct layout and every constant in a package of generated bindings with what gcc
 * computes from the real headers: {@code sizeof}, {@code offsetof} and the size of each field,
 * recursing through anonymous unions, and each macro or enum constant's value.
 */
public final class AbiConformance {

    private AbiConformance() {
    }

    /** Java value and C value of one checked item. */
    public record Comparison(String what, long java, Long c) {
    }

    /** Everything in {@code bindingsPackage}, with the C side evaluated after including {@code headers}. */
    public static List<Comparison> compare(String bindingsPackage, List<String> headers) throws Exception {
        Map<String, Long> javaValues = new LinkedHashMap<>();
        Map<String, String> cExpressions = new LinkedHashMap<>();
        for (Class<?> type : classesIn(bindingsPackage)) {
            Method layout = staticNoArg(type, "layout");
            if (layout != null && GroupLayout.class.isAssignableFrom(layout.getReturnType())) {
                GroupLayout struct = (GroupLayout) layout.invoke(null);
                String cType = "struct " + struct.name().orElseThrow();
                javaValues.put("sizeof " + cType, struct.byteSize());
                cExpressions.put("sizeof " + cType, "sizeof(" + cType + ")");
                members(cType, struct, "", 0, javaValues, cExpressions);
            } else if (type.getSimpleName().endsWith("_h")) {
                for (Method m : type.getMethods()) {
                    boolean numeric = m.getReturnType() == int.class || m.getReturnType() == long.class;
                    if (Modifier.isStatic(m.getModifiers()) && m.getParameterCount() == 0 && numeric
                            && m.getName().matches("[A-Z_][A-Z0-9_]*")) {
                        javaValues.put(m.getName(), ((Number) m.invoke(null)).longValue());
                        cExpressions.put(m.getName(), m.getName());
                    }
                }
            }
        }
        Map<String, Long> cValues = CHeaders.evaluate(headers, cExpressions);
        List<Comparison> result = new ArrayList<>();
        javaValues.forEach((what, value) -> result.add(new Comparison(what, value, cValues.get(what))));
        return result;
    }

    private static void members(String cType, GroupLayout group, String prefix, long base,
                                Map<String, Long> javaValues, Map<String, String> c) {
        long offset = 0;
        for (MemoryLayout member : group.memberLayouts()) {
            long at = base + (group instanceof java.lang.foreign.UnionLayout ? 0 : offset);
            if (!(group instanceof java.lang.foreign.UnionLayout)) {
                offset += member.byteSize();
            }
            if (member instanceof PaddingLayout || member.name().isEmpty()) {
                continue;
            }
            String name = member.name().get();
            if (name.startsWith("$anon$") && member instanceof GroupLayout anonymous) {
                members(cType, anonymous, prefix, at, javaValues, c);   // C names its fields directly
                continue;
            }
            String path = prefix + name;
            javaValues.put("offsetof " + cType + "." + path, at);
            c.put("offsetof " + cType + "." + path, "offsetof(" + cType + ", " + path + ")");
            boolean flexibleArray = member instanceof SequenceLayout seq && seq.elementCount() == 0;
            if (!flexibleArray) {
                javaValues.put("sizeof " + cType + "." + path, member.byteSize());
                c.put("sizeof " + cType + "." + path, "sizeof(((" + cType + " *) 0)->" + path + ")");
            }
            if (member instanceof GroupLayout nested) {
                members(cType, nested, path + ".", at, javaValues, c);
            }
        }
    }

    private static Method staticNoArg(Class<?> type, String name) {
        try {
            Method m = type.getMethod(name);
            return Modifier.isStatic(m.getModifiers()) ? m : null;
        } catch (NoSuchMethodException e) {
            return null;
        }
    }

    private static List<Class<?>> classesIn(String packageName) throws IOException, URISyntaxException, ClassNotFoundException {
        String path = packageName.replace('.', '/');
        List<String> names = new ArrayList<>();
        for (URL url : Collections.list(AbiConformance.class.getClassLoader().getResources(path))) {
            if (url.getProtocol().equals("file")) {
                try (var files = Files.list(Path.of(url.toURI()))) {
                    files.map(p -> p.getFileName().toString()).forEach(names::add);
                }
            } else if (url.getProtocol().equals("jar")) {
                String jar = url.getPath().substring("file:".length(), url.getPath().indexOf('!'));
                try (JarFile jf = new JarFile(jar)) {
                    jf.stream().map(e -> e.getName()).filter(n -> n.startsWith(path + "/") && n.indexOf('/', path.length() + 1) < 0)
                            .map(n -> n.substring(path.length() + 1)).forEach(names::add);
                }
            }
        }
        List<Class<?>> classes = new ArrayList<>();
        for (String file : names) {
            if (file.endsWith(".class") && !file.contains("$")) {
                classes.add(Class.forName(packageName + "." + file.substring(0, file.length() - ".class".length())));
            }
        }
        if (classes.isEmpty()) {
            throw new IllegalStateException("no generated classes found in " + packageName);
        }
        return classes;
    }
}
