package dev.odc.providers.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.odc.providers.CloudProvider;
import dev.odc.providers.CloudVolume;
import dev.odc.providers.InvalidRequestException;
import dev.odc.providers.VolumeRequest;
import dev.odc.providers.VolumeState;
import dev.odc.providers.testing.AbstractCloudProviderContractTest;
import dev.odc.testing.MotoServer;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.InstanceType;
import software.amazon.awssdk.services.s3.S3Client;

/** The cloud contract for {@code type: aws} against a real {@code moto_server}. */
class AwsCloudProviderIT extends AbstractCloudProviderContractTest {
  private static MotoServer moto;
  private static CloudProvider provider;

  @BeforeAll
  static void start() throws Exception {
    moto = MotoServer.start();
    provider =
        new AwsCloudProviderFactory()
            .setRegion("us-east-1")
            .setEndpoint(moto.endpoint())
            .setAccessKeyId("testing")
            .setSecretAccessKey("testing")
            .setPollInterval(Duration.ofMillis(100))
            .build();
    try (S3Client s3 =
        S3Client.builder()
            .region(Region.US_EAST_1)
            .endpointOverride(java.net.URI.create(moto.endpoint()))
            .forcePathStyle(true)
            .credentialsProvider(
                StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing")))
            .build()) {
      s3.createBucket(b -> b.bucket("odc-contract"));
    }
  }

  @AfterAll
  static void stop() {
    if (provider != null) {
      provider.close();
    }
    if (moto != null) {
      moto.close();
    }
  }

  @Override
  protected CloudProvider provider() {
    return provider;
  }

  @Override
  protected String expectedName() {
    return "aws";
  }

  @Override
  protected String missingVolumeId() {
    return "vol-0123456789abcdef0";
  }

  @Override
  protected String missingSnapshotId() {
    return "snap-0123456789abcdef0";
  }

  @Test
  void missingBucketIsNotFound() {
    assertThatThrownBy(
            () ->
                provider.putObject(
                    new dev.odc.providers.ObjectLocation("no-such-bucket", "k"), new byte[] {1}))
        .isInstanceOf(dev.odc.providers.ResourceNotFoundException.class)
        .hasMessageContaining("no-such-bucket");
  }

  @Test
  void zonesAreTheRegionsAvailabilityZones() {
    assertThat(provider.zones()).contains("us-east-1a", "us-east-1b");
  }

  @Test
  void attachDetachAgainstAnInstance() {
    String instanceId;
    try (Ec2Client ec2 =
        Ec2Client.builder()
            .region(Region.US_EAST_1)
            .endpointOverride(java.net.URI.create(moto.endpoint()))
            .credentialsProvider(
                StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing")))
            .build()) {
      String ami = ec2.describeImages(b -> b.owners("amazon")).images().get(0).imageId();
      instanceId =
          ec2.runInstances(
                  b ->
                      b.imageId(ami)
                          .instanceType(InstanceType.T3_MICRO)
                          .minCount(1)
                          .maxCount(1)
                          .placement(p -> p.availabilityZone("us-east-1a")))
              .instances()
              .get(0)
              .instanceId();
    }
    CloudVolume volume =
        provider.createVolume(VolumeRequest.of("attach-me", "us-east-1a", 1, Map.of()));
    provider.attachVolume(volume.id(), instanceId, "/dev/sdf");
    CloudVolume attached = provider.describeVolume(volume.id()).orElseThrow();
    assertThat(attached.state()).isEqualTo(VolumeState.IN_USE);
    assertThat(attached.attachedTo()).containsExactly(instanceId);
    assertThatThrownBy(() -> provider.deleteVolume(volume.id()))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining(volume.id());

    provider.detachVolume(volume.id(), instanceId);
    provider.detachVolume(volume.id(), instanceId);
    assertThat(provider.describeVolume(volume.id()).orElseThrow().state())
        .isEqualTo(VolumeState.AVAILABLE);
    provider.deleteVolume(volume.id());
  }
}
