package dev.odc.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The three shaded service jars, as the container image copies them, carry no test infrastructure:
 * not the cluster simulator nor anything else of {@code testing/}, not the fabric8 mock server, not
 * embedded PostgreSQL. Those are test-scope dependencies of the services; a compile-scope one would
 * put them into production images.
 *
 * <p>The jars are built in their modules' {@code package} phase, before this module's integration
 * tests (this module depends on the three services).
 */
class ServiceJarContentsIT {
  /** Package prefixes (as jar entry paths) of test infrastructure. */
  private static final List<String> TEST_INFRASTRUCTURE =
      List.of(
          "dev/odc/testing/",
          "dev/odc/providers/kubernetes/sim/",
          "io/fabric8/kubernetes/client/server/mock/",
          "io/fabric8/mockwebserver/",
          "io/zonky/");

  private static final Path ROOT =
      Path.of(System.getProperty("odc.repo.root", "..")).toAbsolutePath().normalize();

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "api-service, dev/odc/api/ApiApplication.class",
    "reservation-processor, dev/odc/processor/ProcessorApplication.class",
    "cronjobs, dev/odc/cronjobs/CronjobsApplication.class"
  })
  void serviceJarHoldsNoTestInfrastructure(String module, String mainClass) throws IOException {
    Path jar = ROOT.resolve(module).resolve("target").resolve(module + ".jar");
    assertThat(jar)
        .as("the shaded jar is built in package; was -Dodc.serviceJar.skip=true set?")
        .isRegularFile();
    assertThat(Files.getLastModifiedTime(jar))
        .as("%s is older than the module's classes: rebuild it (mvn package)", jar)
        .isGreaterThanOrEqualTo(newestClass(ROOT.resolve(module).resolve("target/classes")));

    List<String> entries;
    try (JarFile file = new JarFile(jar.toFile())) {
      entries = file.stream().map(JarEntry::getName).toList();
    }

    // the service's own classes are there, so an empty or wrong jar cannot pass
    assertThat(entries).contains(mainClass);
    assertThat(entries)
        .as("test infrastructure in %s", jar)
        .filteredOn(e -> TEST_INFRASTRUCTURE.stream().anyMatch(e::startsWith))
        .isEmpty();
  }

  private static FileTime newestClass(Path classes) throws IOException {
    try (Stream<Path> files = Files.walk(classes)) {
      return files
          .filter(p -> p.toString().endsWith(".class"))
          .map(ServiceJarContentsIT::modified)
          .max(FileTime::compareTo)
          .orElse(FileTime.fromMillis(0));
    }
  }

  private static FileTime modified(Path p) {
    try {
      return Files.getLastModifiedTime(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
