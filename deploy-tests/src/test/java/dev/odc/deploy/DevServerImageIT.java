package dev.odc.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.odc.core.Reservation;
import dev.odc.core.ReservationStatus;
import dev.odc.processor.provisioning.OwnerConfigMap;
import dev.odc.processor.provisioning.ServerPods;
import dev.odc.testing.ServiceJar;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * ODC's dev-server image (deploy/docker/devserver), loaded from its OCI archive and run with podman
 * the way a reservation's pod runs it, then entered with the real OpenSSH client and a key
 * generated for the test: the user lands as {@code dev} in the home volume (a host folder
 * bind-mounted where the pod mounts its PersistentVolumeClaim), can write there, and a key ODC did
 * not hand over is refused.
 */
// Decided before the class loads anything, so a run without images pays nothing for it.
@EnabledIfSystemProperty(
    named = Podman.IMAGES_DIR_PROPERTY,
    matches = ".+",
    disabledReason = Podman.OFF)
class DevServerImageIT {
  private static final String SSH_USER = "dev";

  @TempDir Path dir;

  private static String image;

  @BeforeAll
  static void load() throws IOException {
    image = Podman.load(Podman.imagesOrSkip().resolve("devserver.oci.tar"));
  }

  @Test
  void theProcessorsPodTakesTheUsersKeyAndMountsTheVolumeAsHome() throws Exception {
    Path alice = keygen("alice");
    Path mallory = keygen("mallory");
    Path home = Files.createDirectories(dir.resolve("volume"));
    Files.writeString(home.resolve("notes.txt"), "kept on the volume\n");
    Pod pod = processorPod(List.of(publicKey(alice)));

    try (Server server = start(new PodmanPod(pod.getSpec()).volume("home", home))) {
      String out =
          server.ssh(
              alice, "echo \"$HOME\"; pwd; id -un; cat notes.txt; echo from-the-pod > made.txt");

      assertThat(out.lines().toList())
          .containsExactly(
              ServerPods.HOME_MOUNT, ServerPods.HOME_MOUNT, SSH_USER, "kept on the volume");
      assertThat(home.resolve("made.txt")).hasContent("from-the-pod");
      assertThat(server.sshExit(mallory, "true")).isEqualTo(255);
    }
  }

  @Test
  void keysInTheMountedFileApplyAtTheNextLoginWithoutARestart() throws Exception {
    Path alice = keygen("alice");
    Path bob = keygen("bob");
    Path home = Files.createDirectories(dir.resolve("volume"));
    Path keys = Files.createDirectories(dir.resolve("ssh-keys"));
    Files.writeString(keys.resolve("authorized_keys"), publicKey(alice) + "\n");
    // The image's own command, the keys in a mounted Secret kept current by the platform.
    PodSpec spec =
        new PodSpecBuilder()
            .addNewContainer()
            .withName("dev")
            .withImage(image)
            .addNewVolumeMount()
            .withName("home")
            .withMountPath(ServerPods.HOME_MOUNT)
            .endVolumeMount()
            .addNewVolumeMount()
            .withName("ssh-keys")
            .withMountPath("/etc/odc/ssh")
            .withReadOnly(true)
            .endVolumeMount()
            .endContainer()
            .addNewVolume()
            .withName("home")
            .withNewPersistentVolumeClaim("home-alice", false)
            .endVolume()
            .addNewVolume()
            .withName("ssh-keys")
            .withNewSecret()
            .withSecretName("ssh-keys-alice")
            .endSecret()
            .endVolume()
            .build();

    try (Server server = start(new PodmanPod(spec).volume("home", home).volume("ssh-keys", keys))) {
      assertThat(server.ssh(alice, "pwd").strip()).isEqualTo(ServerPods.HOME_MOUNT);
      assertThat(server.sshExit(bob, "true")).isEqualTo(255);

      Files.writeString(keys.resolve("authorized_keys"), publicKey(bob) + "\n");

      assertThat(server.sshExit(alice, "true")).isEqualTo(255);
      assertThat(server.ssh(bob, "id -un").strip()).isEqualTo(SSH_USER);
    }
  }

  /** A started dev-server container and the loopback port its sshd is published on. */
  private final class Server implements AutoCloseable {
    final String name;
    final int port;
    final Process process;
    final Path log;

    Server(String name, int port, Process process, Path log) {
      this.name = name;
      this.port = port;
      this.process = process;
      this.log = log;
    }

    /** Runs {@code command} over ssh as {@code dev}; its output, or an AssertionError. */
    String ssh(Path key, String command) throws IOException, InterruptedException {
      SshRun run = sshRun(key, command);
      assertThat(run.exit()).as("ssh %s; container log:\n%s", run.output(), log()).isZero();
      return run.output();
    }

    int sshExit(Path key, String command) throws IOException, InterruptedException {
      return sshRun(key, command).exit();
    }

    private SshRun sshRun(Path key, String command) throws IOException, InterruptedException {
      List<String> args =
          new ArrayList<>(
              List.of(
                  "ssh",
                  "-F",
                  "/dev/null",
                  "-i",
                  key.toString(),
                  "-p",
                  Integer.toString(port),
                  "-o",
                  "BatchMode=yes",
                  "-o",
                  "IdentitiesOnly=yes",
                  "-o",
                  "StrictHostKeyChecking=accept-new",
                  "-o",
                  "UserKnownHostsFile=" + dir.resolve("known_hosts"),
                  "-o",
                  "ConnectTimeout=10",
                  "-o",
                  "LogLevel=ERROR",
                  SSH_USER + "@127.0.0.1",
                  command));
      Path out = Files.createTempFile(dir, "ssh", ".out");
      Process ssh =
          new ProcessBuilder(args)
              .redirectErrorStream(true)
              .redirectOutput(out.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
              .start();
      if (!ssh.waitFor(60, TimeUnit.SECONDS)) {
        ssh.destroyForcibly();
        throw new AssertionError("ssh did not end in 60 s: " + Files.readString(out));
      }
      return new SshRun(ssh.exitValue(), Files.readString(out));
    }

    String log() throws IOException {
      return Files.readString(log);
    }

    @Override
    public void close() throws Exception {
      process.destroy();
      Podman.remove(name);
      process.waitFor(30, TimeUnit.SECONDS);
    }
  }

  private record SshRun(int exit, String output) {}

  /**
   * Starts the pod's container with sshd published on a free loopback port; waits until it talks.
   */
  private Server start(PodmanPod pod) throws IOException, InterruptedException {
    int port = ServiceJar.freePort();
    String name = "odc-it-devserver-" + UUID.randomUUID();
    Path log = dir.resolve(name + ".log");
    pod.options("--publish=127.0.0.1:" + port + ":" + ServerPods.SSH_PORT);
    Process process = Podman.start(pod.runArguments(name, image), log);
    Server server = new Server(name, port, process, log);
    Path probe = keygen("probe-" + port);
    // sshd is up once it refuses a key it does not know (the client gets to authentication)
    await()
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofSeconds(1))
        .failFast(
            () -> {
              if (!process.isAlive()) {
                throw new AssertionError("the container exited; its log:\n" + server.log());
              }
            })
        .until(() -> server.sshRun(probe, "true").output().contains("Permission denied"));
    return server;
  }

  /** The pod the reservation-processor creates for a one-node reservation with a home disk. */
  private Pod processorPod(List<String> keys) {
    Instant now = Instant.now();
    Reservation r =
        new Reservation(
            UUID.randomUUID(),
            UUID.randomUUID(),
            "alice",
            "train",
            "l4",
            0,
            1,
            image,
            1.0,
            "home",
            Map.of(),
            ReservationStatus.PREPARING,
            null,
            null,
            null,
            "odc-reservations",
            null,
            null,
            null,
            null,
            now,
            null,
            null,
            null,
            List.of(),
            List.of(),
            0);
    ConfigMap owner = OwnerConfigMap.desired(r, "odc-reservations", null);
    owner.getMetadata().setUid(UUID.randomUUID().toString());
    return ServerPods.desired(
        r,
        0,
        "odc-reservations",
        image,
        "odc.dev/gpu-type",
        null,
        null,
        "home-alice",
        null,
        keys,
        OwnerConfigMap.ownerReference(owner));
  }

  private Path keygen(String name) throws IOException, InterruptedException {
    Path key = dir.resolve("id_" + name);
    Process p =
        new ProcessBuilder(
                "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", key.toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor()).as(out).isZero();
    return key;
  }

  private static String publicKey(Path key) throws IOException {
    return Files.readString(Path.of(key + ".pub")).strip();
  }
}
