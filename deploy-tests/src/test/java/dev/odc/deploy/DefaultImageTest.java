package dev.odc.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odc.api.ApiConfiguration;
import dev.odc.deploy.Chart.Profile;
import dev.odc.processor.ProcessorConfiguration;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Reservations run ODC's own dev-server image unless the operator names another: the chart renders
 * {@code <image.registry>/devserver:<tag>} into the api-service's and the processor's {@code
 * defaultImage}, the name deploy/images/build.sh gives the image it builds.
 */
class DefaultImageTest {

  @Test
  void reservationsDefaultToTheDevServerImageNextToTheServices() throws Exception {
    List<HasMetadata> chart =
        Chart.parse(
            Chart.template(
                Profile.DEFAULT, Map.of("image.registry", "registry.example.com/platform")));

    String expected = "registry.example.com/platform/devserver:" + appVersion();
    assertThat(defaultImages(chart)).containsExactly(expected, expected);
  }

  @Test
  void theImageTagFollowsImageTag() throws Exception {
    List<HasMetadata> chart =
        Chart.parse(Chart.template(Profile.DEFAULT, Map.of("image.tag", "2.0.1")));

    assertThat(defaultImages(chart)).allSatisfy(i -> assertThat(i).endsWith("/devserver:2.0.1"));
  }

  @Test
  void anOperatorsImageReplacesIt() throws Exception {
    List<HasMetadata> chart =
        Chart.parse(
            Chart.template(
                Profile.DEFAULT, Map.of("reservations.defaultImage", "team/cuda-dev:12.4")));

    assertThat(defaultImages(chart)).containsExactly("team/cuda-dev:12.4", "team/cuda-dev:12.4");
  }

  @Test
  void theBuildNamesTheImageAsTheChartExpects() throws Exception {
    String build = Files.readString(Chart.repoRoot().resolve("deploy/images/build.sh"));

    assertThat(build).contains("localhost/odc/devserver:$tag");
    assertThat(build).contains("helm/odc/Chart.yaml").contains("appVersion");
  }

  private static List<String> defaultImages(List<HasMetadata> chart) throws Exception {
    return List.of(
        ServiceConfigTest.load(ApiConfiguration.class, chart, "odc-api-service").getDefaultImage(),
        ServiceConfigTest.load(ProcessorConfiguration.class, chart, "odc-reservation-processor")
            .getDefaultImage());
  }

  private static String appVersion() throws Exception {
    return Chart.yaml(Files.readString(Chart.dir().resolve("Chart.yaml")))
        .get("appVersion")
        .asText();
  }
}
