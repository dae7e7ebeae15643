import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Enumeration;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Opcodes;

/**
 * Build step of the cli module (run by exec-maven-plugin after the shade plugin, with ASM on the
 * class path): rewrites the pre-Java-6 class files in {@code gpu-dev.jar} (picocli ships Java 5
 * bytecode) as Java 8 class files with computed stack map frames.
 *
 * <p>Why: class data sharing and the AOT cache skip classes that need the old type-inferencing
 * verifier ("Old class has been linked", "Verified with old verifier"), so without this picocli
 * alone is parsed, verified and linked from the jar on every start. The instructions are unchanged;
 * only the version, max stack/locals and the frames that the split verifier checks are written.
 *
 * <p>Usage: {@code java -cp asm.jar ModernBytecode.java JAR}. The jar is replaced atomically.
 */
public final class ModernBytecode {
  private static final int JAVA_6 = 50;

  private ModernBytecode() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      System.err.println("usage: ModernBytecode JAR");
      System.exit(2);
    }
    Path jar = Path.of(args[0]);
    Path tmp = jar.resolveSibling(jar.getFileName() + ".modern.tmp");
    int rewritten = 0;
    try (JarFile in = new JarFile(jar.toFile(), false);
        URLClassLoader types =
            new URLClassLoader(
                new URL[] {jar.toUri().toURL()}, ClassLoader.getPlatformClassLoader());
        OutputStream file = Files.newOutputStream(tmp);
        JarOutputStream out = new JarOutputStream(file)) {
      Enumeration<JarEntry> entries = in.entries();
      while (entries.hasMoreElements()) {
        JarEntry entry = entries.nextElement();
        byte[] bytes;
        try (InputStream s = in.getInputStream(entry)) {
          bytes = s.readAllBytes();
        }
        if (entry.getName().endsWith(".class") && majorVersion(bytes) < JAVA_6) {
          bytes = modernize(bytes, types);
          rewritten++;
        }
        JarEntry copy = new JarEntry(entry.getName());
        copy.setTime(entry.getTime());
        out.putNextEntry(copy);
        out.write(bytes);
        out.closeEntry();
      }
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
    Files.move(tmp, jar, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    System.out.println("ModernBytecode: " + rewritten + " class files of " + jar + " now Java 8");
  }

  static int majorVersion(byte[] classFile) {
    return ((classFile[6] & 0xff) << 8) | (classFile[7] & 0xff);
  }

  static byte[] modernize(byte[] classFile, ClassLoader types) {
    ClassReader reader = new ClassReader(classFile);
    ClassWriter writer =
        new ClassWriter(ClassWriter.COMPUTE_FRAMES) {
          @Override
          protected ClassLoader getClassLoader() {
            // Common super classes are looked up among the jar's own classes and the JDK's.
            return types;
          }
        };
    ClassVisitor version =
        new ClassVisitor(Opcodes.ASM9, writer) {
          @Override
          public void visit(
              int v,
              int access,
              String name,
              String signature,
              String superName,
              String[] interfaces) {
            super.visit(Opcodes.V1_8, access, name, signature, superName, interfaces);
          }
        };
    // EXPAND_FRAMES is unnecessary (old class files have none); SKIP_FRAMES drops any stray ones.
    reader.accept(version, ClassReader.SKIP_FRAMES);
    return writer.toByteArray();
  }
}
