package dev.odc.bench;

import dev.odc.api.ApiConfiguration;
import dev.odc.core.Json;
import dev.odc.database.testing.PodStandIn;
import dev.odc.testing.ssh.LoopbackSshd;
import io.dropwizard.testing.DropwizardTestSupport;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Figure 8: SSH through the api-service's tunnel ({@code bin/gpu-dev ssh}: the real ssh with {@code
 * gpu-dev tunnel} as ProxyCommand, WebSocket to the in-JVM api-service, TCP to a loopback sshd)
 * next to the same ssh straight to the same sshd, in the same run: round-trip latency of one byte
 * inside an open session, download throughput inside an open session, and the time to connect and
 * run {@code true}.
 */
final class SshTunnelBench {
  /** The remote side: answers each line N with N zero bytes. */
  private static final String SERVER_LOOP = "while read n; do head -c \"$n\" /dev/zero; done";

  private SshTunnelBench() {}

  static void run(BenchEnv env, Report report, boolean quick) throws Exception {
    if (!LoopbackSshd.available()) {
      throw new IOException("OpenSSH is not installed (bin/lib/openssh.sh installs it)");
    }
    Path root = CliBench.repositoryRoot();
    Path launcher = root.resolve("bin/gpu-dev");
    Path work = Files.createTempDirectory("odc-bench-ssh");
    BenchEnv.Db db = env.database("ssh");
    DropwizardTestSupport<ApiConfiguration> api = env.startApi(db);
    try (LoopbackSshd sshd = LoopbackSshd.start(work.resolve("sshd"))) {
      Path key = LoopbackSshd.userKey(work.resolve("keys"), "bench", "ed25519");
      sshd.authorize(List.of(Files.readString(Path.of(key + ".pub")).strip()));
      String base = "http://127.0.0.1:" + api.getLocalPort();
      String token = env.issuer().token("sshuser");
      String created =
          CliBench.post(
              HttpClient.newHttpClient(),
              base + "/v1/reservations",
              token,
              "{\"gpuType\":\"h100\",\"gpuCount\":1,\"hours\":1,\"name\":\"ssh-bench\",\"disk\":\"none\"}",
              202);
      UUID id = UUID.fromString(Json.newMapper().readTree(created).path("id").asText());
      PodStandIn.running(db.jdbi(), id, "127.0.0.1", sshd.port());

      String alias = "odc-" + id.toString().substring(0, 8);
      Path knownHosts = sshd.knownHosts(alias, "[127.0.0.1]:" + sshd.port());
      List<String> sshOptions =
          List.of(
              "UserKnownHostsFile=" + knownHosts,
              "StrictHostKeyChecking=yes",
              "BatchMode=yes",
              "IdentitiesOnly=yes");
      List<String> tunnel =
          new ArrayList<>(
              List.of(
                  launcher.toString(),
                  "ssh",
                  id.toString(),
                  "--user",
                  sshd.user(),
                  "-i",
                  key.toString()));
      for (String o : sshOptions) {
        tunnel.add("--ssh-option");
        tunnel.add(o);
      }
      tunnel.add("--");
      List<String> direct =
          new ArrayList<>(
              List.of("ssh", "-p", Integer.toString(sshd.port()), "-i", key.toString()));
      for (String o : sshOptions) {
        direct.add("-o");
        direct.add(o);
      }
      direct.add(sshd.user() + "@127.0.0.1");

      Map<String, String> cliEnv = new HashMap<>();
      cliEnv.put("JAVA_HOME", System.getProperty("java.home"));
      cliEnv.put("GPU_DEV_API_URL", base);
      cliEnv.put("GPU_DEV_API_KEY", token);
      cliEnv.put("XDG_CONFIG_HOME", work.resolve("config").toString());
      cliEnv.put("HOME", work.toString());

      int roundTrips = quick ? 20 : 300;
      long bytes = quick ? 4L << 20 : 128L << 20;
      Session viaTunnel = Session.start(with(tunnel, SERVER_LOOP), cliEnv, work);
      Session straight = Session.start(with(direct, SERVER_LOOP), cliEnv, work);
      try {
        viaTunnel.fetch(1);
        straight.fetch(1);
        for (int i = 0; i < 20; i++) {
          viaTunnel.fetch(1);
          straight.fetch(1);
        }
        double[] rttTunnel = new double[roundTrips];
        double[] rttDirect = new double[roundTrips];
        for (int i = 0; i < roundTrips; i++) {
          rttTunnel[i] = viaTunnel.fetch(1) / 1e6;
          rttDirect[i] = straight.fetch(1) / 1e6;
        }
        Stats t = new Stats(rttTunnel);
        Stats d = new Stats(rttDirect);
        report.add(
            new Figure(
                "8.1",
                "ssh round trip through the tunnel",
                t.median(),
                "ms",
                "ssh straight to the sshd",
                d.median(),
                false,
                "added latency ≤ 2 ms",
                t.median() - d.median() <= 2.0,
                String.format(
                    Locale.ROOT,
                    "1 byte asked and answered inside an open session, median of %d alternating;"
                        + " p99 %.2f ms vs %.2f ms",
                    roundTrips,
                    t.percentile(99),
                    d.percentile(99))));

        viaTunnel.fetch(bytes);
        straight.fetch(bytes);
        int transfers = quick ? 1 : 3;
        double[] mbTunnel = new double[transfers];
        double[] mbDirect = new double[transfers];
        for (int i = 0; i < transfers; i++) {
          mbTunnel[i] = bytes / 1e6 / (viaTunnel.fetch(bytes) / 1e9);
          mbDirect[i] = bytes / 1e6 / (straight.fetch(bytes) / 1e9);
        }
        double mt = new Stats(mbTunnel).median();
        double md = new Stats(mbDirect).median();
        report.add(
            new Figure(
                "8.2",
                "ssh download through the tunnel",
                mt,
                "MB/s",
                "ssh straight to the sshd",
                md,
                true,
                "≥ 50% of direct",
                mt >= 0.5 * md,
                String.format(
                    Locale.ROOT,
                    "%d MiB from the server's /dev/zero inside an open session, median of %d",
                    bytes >> 20,
                    transfers)));
      } finally {
        viaTunnel.close();
        straight.close();
      }

      int connects = quick ? 2 : 7;
      double[][] samples =
          ProcessTimer.timeAlternating(
              List.of(with(tunnel, "true"), with(direct, "true")), cliEnv, work, connects);
      double ct = new Stats(samples[0]).median();
      double cd = new Stats(samples[1]).median();
      report.add(
          new Figure(
              "8.3",
              "gpu-dev ssh ID -- true (connect, run, exit)",
              ct,
              "ms",
              "ssh straight to the sshd",
              cd,
              false,
              "—",
              true,
              String.format(
                  Locale.ROOT,
                  "median of %d alternating runs; includes starting gpu-dev twice (ssh, tunnel)",
                  connects)));
    } finally {
      api.after();
    }
  }

  private static List<String> with(List<String> command, String remote) {
    List<String> c = new ArrayList<>(command);
    c.add(remote);
    return c;
  }

  /** One ssh session running {@link #SERVER_LOOP}: ask for N bytes, time until they arrived. */
  private record Session(Process process, OutputStream in, InputStream out)
      implements AutoCloseable {
    static Session start(List<String> command, Map<String, String> env, Path dir)
        throws IOException {
      ProcessBuilder pb =
          new ProcessBuilder(command)
              .directory(dir.toFile())
              .redirectError(ProcessBuilder.Redirect.INHERIT);
      pb.environment().putAll(env);
      Process p = pb.start();
      return new Session(p, p.getOutputStream(), p.getInputStream());
    }

    /** Asks for {@code n} bytes and reads them; returns the nanoseconds it took. */
    long fetch(long n) throws IOException {
      byte[] buffer = new byte[64 * 1024];
      long start = System.nanoTime();
      in.write((n + "\n").getBytes(StandardCharsets.US_ASCII));
      in.flush();
      long left = n;
      while (left > 0) {
        int read = out.read(buffer, 0, (int) Math.min(buffer.length, left));
        if (read < 0) {
          throw new IOException("the ssh session ended early (exit " + exitCode() + ")");
        }
        left -= read;
      }
      return System.nanoTime() - start;
    }

    private String exitCode() {
      return process.isAlive() ? "still running" : Integer.toString(process.exitValue());
    }

    @Override
    public void close() {
      try {
        in.close();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      } catch (IOException e) {
        process.destroyForcibly();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
      }
    }
  }
}
