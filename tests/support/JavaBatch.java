import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.FileObject;
import javax.tools.ForwardingJavaFileManager;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.StandardLocation;
import javax.tools.ToolProvider;

/**
 * Compiles and runs many single-file Java programs in one JVM, because starting javac and a JVM
 * per program costs about a second each and the conformance test has hundreds of variants.
 *
 * Usage: java JavaBatch JOBS OUTDIR TIMEOUT_MS, where each line of JOBS is "id TAB path" and the
 * file's public class (named as the file) has a main method. For each job it writes OUTDIR/id.out
 * (what the program printed) and OUTDIR/id.status: "exit 0", "exception CLASS", "compile-error"
 * followed by the diagnostics, or "timeout". Each program gets a fresh class loader, so static
 * state never leaks between programs. A program still running at the timeout cannot be stopped
 * safely, so the JVM halts after recording it; the caller restarts with the remaining jobs.
 */
public class JavaBatch {
    static final class MemoryClass extends SimpleJavaFileObject {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        MemoryClass(String name, Kind kind) {
            super(URI.create("mem:///" + name.replace('.', '/') + kind.extension), kind);
        }

        @Override
        public OutputStream openOutputStream() {
            return bytes;
        }
    }

    static final class MemoryManager extends ForwardingJavaFileManager<StandardJavaFileManager> {
        final Map<String, MemoryClass> classes = new HashMap<>();

        MemoryManager(StandardJavaFileManager inner) {
            super(inner);
        }

        @Override
        public JavaFileObject getJavaFileForOutput(Location location, String className, JavaFileObject.Kind kind, FileObject sibling) {
            MemoryClass out = new MemoryClass(className, kind);
            classes.put(className, out);
            return out;
        }
    }

    static final class MemoryLoader extends ClassLoader {
        private final Map<String, MemoryClass> classes;

        MemoryLoader(Map<String, MemoryClass> classes) {
            super(JavaBatch.class.getClassLoader());
            this.classes = classes;
        }

        @Override
        protected Class<?> findClass(String name) throws ClassNotFoundException {
            MemoryClass found = classes.get(name);
            if (found == null) {
                throw new ClassNotFoundException(name);
            }
            byte[] b = found.bytes.toByteArray();
            return defineClass(name, b, 0, b.length);
        }
    }

    public static void main(String[] args) throws Exception {
        List<String> jobs = Files.readAllLines(Paths.get(args[0]), StandardCharsets.UTF_8);
        Path outDir = Paths.get(args[1]);
        long timeoutMs = Long.parseLong(args[2]);
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        StandardJavaFileManager files = compiler.getStandardFileManager(null, Locale.ROOT, StandardCharsets.UTF_8);
        PrintStream realOut = System.out;
        PrintStream realErr = System.err;
        for (String job : jobs) {
            if (job.isBlank()) {
                continue;
            }
            String[] parts = job.split("\t", 2);
            String status = runOne(compiler, files, Paths.get(parts[1]), outDir.resolve(parts[0] + ".out"), timeoutMs);
            System.setOut(realOut);
            System.setErr(realErr);
            Files.write(outDir.resolve(parts[0] + ".status"), status.getBytes(StandardCharsets.UTF_8));
            if (status.equals("timeout")) {
                Runtime.getRuntime().halt(3);
            }
        }
    }

    static String runOne(JavaCompiler compiler, StandardJavaFileManager files, Path source, Path outFile, long timeoutMs) throws IOException {
        MemoryManager manager = new MemoryManager(files);
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        List<String> options = List.of("-proc:none", "-nowarn", "-g:none", "-encoding", "UTF-8");
        Iterable<? extends JavaFileObject> units = files.getJavaFileObjects(source.toFile());
        boolean ok = compiler.getTask(null, manager, diagnostics, options, null, units).call();
        if (!ok) {
            StringBuilder sb = new StringBuilder("compile-error");
            for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
                if (d.getKind() == Diagnostic.Kind.ERROR) {
                    sb.append("\nline ").append(d.getLineNumber()).append(": ").append(d.getMessage(Locale.ROOT));
                }
            }
            Files.write(outFile, new byte[0]);
            return sb.toString();
        }
        String mainClass = source.getFileName().toString().replaceFirst("\\.java$", "");
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream capture = new PrintStream(captured, true, StandardCharsets.UTF_8);
        String[] result = {"exit 0"};
        Thread runner = new Thread(() -> {
            try {
                Class<?> cls = new MemoryLoader(manager.classes).loadClass(mainClass);
                Method main = cls.getMethod("main", String[].class);
                main.invoke(null, (Object) new String[0]);
            } catch (InvocationTargetException e) {
                result[0] = "exception " + e.getCause().getClass().getName();
            } catch (ReflectiveOperationException | LinkageError e) {
                result[0] = "launch-error " + e;
            }
        });
        System.setOut(capture);
        System.setErr(new PrintStream(OutputStream.nullOutputStream()));
        runner.start();
        try {
            runner.join(timeoutMs);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        capture.flush();
        Files.write(outFile, captured.toByteArray());
        return runner.isAlive() ? "timeout" : result[0];
    }
}
