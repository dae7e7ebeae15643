package dev.odc.providers.gcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odc.providers.CloudProvider;
import dev.odc.providers.testing.AbstractCloudProviderContractTest;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The cloud contract for {@code type: gcp} against a local stateful fake of the Compute REST API.
 */
class GcpCloudProviderIT extends AbstractCloudProviderContractTest {
  private static FakeCompute compute;
  private static CloudProvider provider;

  @BeforeAll
  static void start() throws Exception {
    compute = new FakeCompute(List.of("europe-west4-a", "europe-west4-b"));
    provider =
        new GcpCloudProviderFactory()
            .setProject("odc-test")
            .setRegion("europe-west4")
            .setEndpoint(compute.endpoint())
            .setPollInterval(Duration.ofMillis(100))
            .setOperationTimeout(Duration.ofSeconds(60))
            .build();
  }

  @AfterAll
  static void stop() {
    if (provider != null) {
      provider.close();
    }
    if (compute != null) {
      compute.close();
    }
  }

  @Override
  protected CloudProvider provider() {
    return provider;
  }

  @Override
  protected String expectedName() {
    return "gcp";
  }

  @Override
  protected String missingVolumeId() {
    return "europe-west4-a/no-such-disk";
  }

  @Override
  protected String missingSnapshotId() {
    return "no-such-snapshot";
  }

  @Test
  void zonesAreTheRegionsAndOperationsArePolled() {
    assertThat(provider.zones()).containsExactly("europe-west4-a", "europe-west4-b");
    int before = compute.operationPolls.get();
    provider.createVolume(
        dev.odc.providers.VolumeRequest.of("polled", "europe-west4-b", 1, java.util.Map.of()));
    // RUNNING on the first poll, DONE on the second: the client waited for both.
    assertThat(compute.operationPolls.get() - before).isGreaterThanOrEqualTo(2);
    provider.deleteVolume("europe-west4-b/polled");
    assertThat(provider.describeVolume("europe-west4-b/polled")).isEmpty();
  }
}
