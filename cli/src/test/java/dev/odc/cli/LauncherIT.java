package dev.odc.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/gpu-dev: which start-up cache it makes for which JDK, when it retrains, and that the cache it
 * makes with the real JDK is one the JVM accepts. Most cases run the launcher against fake JDKs (a
 * {@code release} file and a {@code bin/java} script that logs its arguments and writes the files
 * the real one would), so every JDK version's path is checked on any machine.
 */
class LauncherIT {
  private static final Path LAUNCHER =
      Path.of("").toAbsolutePath().getParent().resolve("bin/gpu-dev");
  private static final Path JAR = Path.of("target/gpu-dev.jar").toAbsolutePath();

  private static final String FAKE_JAVA =
      """
      #!/usr/bin/env bash
      echo "$*" >>"$FAKE_JAVA_LOG"
      mode="" conf="" cache="" training=0
      for a in "$@"; do
        case $a in
          --startup-training) training=1 ;;
          -XX:AOTMode=*) mode=${a#*=} ;;
          -XX:AOTConfiguration=*) conf=${a#*=} ;;
          -XX:AOTCache=*) cache=${a#*=} ;;
        esac
      done
      if [ "$training" = 1 ]; then
        [ "${FAKE_TRAINING_FAILS:-0}" = 1 ] && exit 1
        sleep "${FAKE_TRAINING_SECONDS:-0}"
      fi
      for a in "$@"; do
        case $a in
          -XX:AOTCacheOutput=* | -XX:ArchiveClassesAtExit=*) echo cache >"${a#*=}" ;;
        esac
      done
      case $mode in
        record) echo config >"$conf" ;;
        create) [ -f "$conf" ] && echo cache >"$cache" ;;
      esac
      [ "$training" = 1 ] || [ "$mode" = create ] || echo "ran $*"
      """;

  @TempDir Path tmp;
  private Path cacheHome;
  private Path log;
  private Path jar;

  @BeforeEach
  void setUp() throws IOException {
    cacheHome = tmp.resolve("cache");
    log = tmp.resolve("java.log");
    jar = tmp.resolve("app/gpu-dev.jar");
    Files.createDirectories(jar.getParent());
    Files.writeString(jar, "not really a jar");
  }

  private Path fakeJdk(String name, String version) throws IOException {
    Path home = tmp.resolve("jdks").resolve(name);
    Files.createDirectories(home.resolve("bin"));
    Files.writeString(
        home.resolve("release"), "IMPLEMENTOR=\"Fake\"\nJAVA_VERSION=\"" + version + "\"\n");
    executable(home.resolve("bin/java"), FAKE_JAVA);
    executable(home.resolve("bin/javac"), "#!/bin/sh\nexit 0\n");
    return home;
  }

  private static void executable(Path file, String content) throws IOException {
    Files.writeString(file, content);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  private record Run(int exitCode, String out) {}

  private Process start(Path javaHome, Map<String, String> extra, String... args)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(LAUNCHER.toString());
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    Map<String, String> env = pb.environment();
    env.put("JAVA_HOME", javaHome.toString());
    env.put("GPU_DEV_JAR", jar.toString());
    env.put("XDG_CACHE_HOME", cacheHome.toString());
    env.put("HOME", tmp.toString());
    env.put("FAKE_JAVA_LOG", log.toString());
    env.putAll(extra);
    return pb.start();
  }

  private Run run(Path javaHome, Map<String, String> extra, String... args)
      throws IOException, InterruptedException {
    Process p = start(javaHome, extra, args);
    String out;
    try (InputStream in = p.getInputStream()) {
      out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertThat(p.waitFor(600, TimeUnit.SECONDS)).as("launcher finished").isTrue();
    return new Run(p.exitValue(), out);
  }

  private Run run(Path javaHome, String... args) throws IOException, InterruptedException {
    return run(javaHome, Map.of(), args);
  }

  private List<String> javaCalls() throws IOException {
    return Files.exists(log) ? Files.readAllLines(log) : List.of();
  }

  private List<Path> cacheFiles() throws IOException {
    Path dir = cacheHome.resolve("gpu-dev");
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files.sorted().toList();
    }
  }

  private Path onlyCacheFile(String suffix) throws IOException {
    List<Path> files = cacheFiles();
    assertThat(files).hasSize(1);
    assertThat(files.get(0).getFileName().toString()).endsWith(suffix);
    return files.get(0);
  }

  @Test
  void jdk25TrainsAnAotCacheInOneStepAndStartsFromIt() throws Exception {
    Path jdk = fakeJdk("fake-25", "25.0.1");
    Run first = run(jdk, "list", "-o", "json");
    assertThat(first.exitCode()).as(first.out()).isZero();
    Path cache = onlyCacheFile("-fake-25-25.0.1.aot");
    assertThat(Files.getLastModifiedTime(cache)).isEqualTo(Files.getLastModifiedTime(jar));

    List<String> calls = javaCalls();
    assertThat(calls).hasSize(2);
    assertThat(calls.get(0))
        .contains("-XX:AOTCacheOutput=" + cache + ".")
        .endsWith("-jar " + jar + " --startup-training");
    assertThat(calls.get(1))
        .contains("-XX:AOTCache=" + cache)
        .contains("-Xlog:aot=off")
        .endsWith("-jar " + jar + " list -o json");
    assertThat(first.out()).contains("ran ").contains("list -o json");

    Run second = run(jdk, "avail");
    assertThat(second.exitCode()).isZero();
    assertThat(javaCalls()).hasSize(3);
    assertThat(javaCalls().get(2)).contains("-XX:AOTCache=" + cache).endsWith(" avail");
  }

  @Test
  void jdk24RecordsThenCreates() throws Exception {
    Path jdk = fakeJdk("fake-24", "24.0.2");
    Run r = run(jdk, "whoami");
    assertThat(r.exitCode()).as(r.out()).isZero();
    Path cache = onlyCacheFile("-fake-24-24.0.2.aot");
    List<String> calls = javaCalls();
    assertThat(calls).hasSize(3);
    assertThat(calls.get(0)).contains("-XX:AOTMode=record").endsWith("--startup-training");
    assertThat(calls.get(1)).contains("-XX:AOTMode=create").contains("-XX:AOTCache=" + cache + ".");
    assertThat(calls.get(2)).contains("-XX:AOTCache=" + cache).endsWith(" whoami");
  }

  @Test
  void jdk21DumpsAnAppCdsArchiveAndPassesNoAotFlags() throws Exception {
    Path jdk = fakeJdk("fake-21", "21.0.5");
    Run r = run(jdk, "list");
    assertThat(r.exitCode()).as(r.out()).isZero();
    Path archive = onlyCacheFile("-fake-21-21.0.5.jsa");
    List<String> calls = javaCalls();
    assertThat(calls).hasSize(2);
    assertThat(calls.get(0)).contains("-XX:ArchiveClassesAtExit=" + archive + ".");
    assertThat(calls.get(1)).contains("-XX:SharedArchiveFile=" + archive).endsWith(" list");
    // JDK 21 to 23 do not know the aot log tag (an unknown -Xlog tag is an error there).
    assertThat(String.join("\n", calls)).doesNotContain("aot");
  }

  @Test
  void aRebuiltJarRetrainsAndTheSameJarDoesNot() throws Exception {
    Path jdk = fakeJdk("fake-25", "25");
    run(jdk, "list");
    run(jdk, "list");
    assertThat(javaCalls()).hasSize(3);
    Files.setLastModifiedTime(
        jar, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() + 10_000));
    run(jdk, "list");
    List<String> calls = javaCalls();
    assertThat(calls).hasSize(5);
    assertThat(calls.get(3)).contains("--startup-training");
    Path cache = onlyCacheFile(".aot");
    assertThat(Files.getLastModifiedTime(cache)).isEqualTo(Files.getLastModifiedTime(jar));
  }

  @Test
  void aFailedTrainingRunsTheCommandWithoutCacheAndIsNotRetriedForTheSameJar() throws Exception {
    Path jdk = fakeJdk("fake-25", "25");
    Map<String, String> failing = Map.of("FAKE_TRAINING_FAILS", "1");
    Run r = run(jdk, failing, "list");
    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).contains("ran ").doesNotContain("AOTCache=");
    assertThat(cacheFiles()).hasSize(1);
    assertThat(cacheFiles().get(0).getFileName().toString()).endsWith(".aot.failed");

    run(jdk, failing, "list");
    List<String> calls = javaCalls();
    assertThat(calls).hasSize(3);
    assertThat(calls.get(2)).doesNotContain("--startup-training").doesNotContain("AOTCache");
  }

  @Test
  void versionAloneNeitherTrainsNorMapsTheCache() throws Exception {
    Path jdk = fakeJdk("fake-25", "25");
    Run r = run(jdk, "--version");
    assertThat(r.exitCode()).isZero();
    assertThat(javaCalls()).hasSize(1);
    assertThat(javaCalls().get(0)).doesNotContain("AOT").endsWith("-jar " + jar + " --version");
    assertThat(cacheFiles()).isEmpty();
  }

  @Test
  void concurrentFirstRunsBothSucceedAndLeaveOneWholeCache() throws Exception {
    Path jdk = fakeJdk("fake-25", "25");
    Map<String, String> slow = Map.of("FAKE_TRAINING_SECONDS", "1");
    Process a = start(jdk, slow, "list");
    Process b = start(jdk, slow, "avail");
    assertThat(a.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(b.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(a.exitValue()).isZero();
    assertThat(b.exitValue()).isZero();
    Path cache = onlyCacheFile(".aot");
    assertThat(Files.readString(cache)).isEqualTo("cache\n");
    long trainings = javaCalls().stream().filter(c -> c.contains("--startup-training")).count();
    assertThat(trainings).isBetween(1L, 2L);
  }

  @Test
  void everyClassInTheJarCanBeArchived() throws IOException {
    // Class data sharing and the AOT cache skip class files older than Java 6 (picocli ships Java
    // 5 ones); the build rewrites them.
    Map<String, Integer> old = new HashMap<>();
    int picocli = 0;
    try (JarFile jarFile = new JarFile(JAR.toFile())) {
      for (JarEntry e : jarFile.stream().toList()) {
        if (!e.getName().endsWith(".class")) {
          continue;
        }
        byte[] head;
        try (InputStream in = jarFile.getInputStream(e)) {
          head = in.readNBytes(8);
        }
        int major = ((head[6] & 0xff) << 8) | (head[7] & 0xff);
        if (major < 50) {
          old.put(e.getName(), major);
        }
        if (e.getName().equals("picocli/CommandLine.class")) {
          picocli = major;
        }
      }
    }
    assertThat(old).isEmpty();
    assertThat(picocli).isEqualTo(52);
  }

  @Test
  void theRealJdkMakesACacheItAcceptsAndTheCommandsStillWork() throws Exception {
    Path javaHome = Path.of(System.getProperty("java.home"));
    Assumptions.assumeTrue(Runtime.version().feature() >= 25, "needs JDK 25 for the AOT cache");
    jar = JAR;
    Run help = run(javaHome, "list", "--help");
    assertThat(help.exitCode()).as(help.out()).isZero();
    assertThat(help.out()).startsWith("Usage: gpu-dev list").contains("--status=STATUS");
    Path cache = onlyCacheFile(".aot");

    // AOTMode=on refuses to start when the cache does not fit this JVM, jar and flags.
    Process check =
        new ProcessBuilder(
                javaHome.resolve("bin/java").toString(),
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "-XX:-UsePerfData",
                "-XX:AOTMode=on",
                "-XX:AOTCache=" + cache,
                "-jar",
                JAR.toString(),
                "--help")
            .redirectErrorStream(true)
            .start();
    String out;
    try (InputStream in = check.getInputStream()) {
      out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertThat(check.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(check.exitValue()).as(out).isZero();
    assertThat(out).startsWith("Usage: gpu-dev");

    Run version = run(javaHome, "--version");
    assertThat(version.out().strip()).isEqualTo(GpuDev.VERSION);
    Run bad = run(javaHome, "list", "--status", "NOPE");
    assertThat(bad.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(bad.out()).contains("Invalid value for option '--status'");
  }
}
