package dev.odc.testing.ssh;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A real OpenSSH server on a free loopback port, for tests and benchmarks: its own host key, its
 * own config, and an {@code authorized_keys} file the caller controls. It runs as the current user
 * (as root when the tests run as root) with {@code sshd -D -e -f CONFIG}.
 */
public final class LoopbackSshd implements AutoCloseable {
  public static final Path SSHD = Path.of("/usr/sbin/sshd");

  private final Process process;
  private final int port;
  private final Path dir;
  private final List<String> log = Collections.synchronizedList(new ArrayList<>());

  private LoopbackSshd(Process process, int port, Path dir) {
    this.process = process;
    this.port = port;
    this.dir = dir;
  }

  /** True when sshd, ssh and ssh-keygen are installed (bin/lib/openssh.sh installs them). */
  public static boolean available() {
    return Files.isExecutable(SSHD) && onPath("ssh") && onPath("ssh-keygen");
  }

  private static boolean onPath(String command) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, command))) {
        return true;
      }
    }
    return false;
  }

  /** Starts a server with its files (host key, config, authorized_keys) in {@code dir}. */
  public static LoopbackSshd start(Path dir) throws IOException, InterruptedException {
    return start(dir, null);
  }

  /**
   * Starts a server whose sessions run in {@code home} (with {@code HOME} set to it) instead of the
   * user's own home directory: a stand-in for a dev server's home volume.
   *
   * @param home null for the user's home directory
   */
  public static LoopbackSshd start(Path dir, Path home) throws IOException, InterruptedException {
    Files.createDirectories(dir);
    Path hostKey = dir.resolve("host_ed25519");
    if (!Files.exists(hostKey)) {
      run(
          List.of(
              "ssh-keygen",
              "-q",
              "-t",
              "ed25519",
              "-N",
              "",
              "-C",
              "odc-test-host",
              "-f",
              hostKey.toString()));
    }
    Path authorized = dir.resolve("authorized_keys");
    if (!Files.exists(authorized)) {
      Files.writeString(authorized, "");
    }
    if ("root".equals(System.getProperty("user.name"))) {
      // sshd started by root separates privileges and needs its empty directory
      Files.createDirectories(Path.of("/run/sshd"));
    }
    IOException last = null;
    for (int attempt = 0; attempt < 5; attempt++) {
      int port = freePort();
      Path config = dir.resolve("sshd_config");
      Files.writeString(
          config,
          String.join(
              "\n",
              "Port " + port,
              "ListenAddress 127.0.0.1",
              "HostKey " + hostKey.toAbsolutePath(),
              "AuthorizedKeysFile " + authorized.toAbsolutePath(),
              "PidFile none",
              "UsePAM no",
              "StrictModes no",
              "PasswordAuthentication no",
              "KbdInteractiveAuthentication no",
              "PubkeyAuthentication yes",
              "PermitRootLogin prohibit-password",
              "AllowTcpForwarding yes",
              "PrintMotd no",
              "LogLevel VERBOSE",
              "Subsystem sftp internal-sftp",
              home == null ? "" : sessionsIn(home),
              ""));
      Process process =
          new ProcessBuilder(SSHD.toString(), "-D", "-e", "-f", config.toAbsolutePath().toString())
              .redirectErrorStream(true)
              .start();
      LoopbackSshd sshd = new LoopbackSshd(process, port, dir);
      if (sshd.awaitListening()) {
        return sshd;
      }
      sshd.close();
      last = new IOException("sshd did not start on port " + port + ": " + sshd.log());
    }
    throw last;
  }

  /** sshd starts sessions in the passwd home; these lines move them to {@code home}. */
  private static String sessionsIn(Path home) throws IOException {
    Files.createDirectories(home);
    String h = home.toAbsolutePath().toString();
    if (!h.matches("[A-Za-z0-9_./-]+")) {
      throw new IOException("home " + h + " must be a plain path (letters, digits, . _ / -)");
    }
    return String.join(
        "\n",
        "SetEnv HOME=" + h,
        "ForceCommand cd "
            + h
            + " && if [ -n \"$SSH_ORIGINAL_COMMAND\" ]; then exec /bin/sh -c"
            + " \"$SSH_ORIGINAL_COMMAND\"; else exec \"${SHELL:-/bin/sh}\" -l; fi");
  }

  private boolean awaitListening() throws InterruptedException {
    CountDownLatch listening = new CountDownLatch(1);
    Thread.ofPlatform()
        .daemon()
        .name("sshd-" + port)
        .start(
            () -> {
              try (BufferedReader in =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                  log.add(line);
                  if (line.contains("Server listening on")) {
                    listening.countDown();
                  }
                }
              } catch (IOException e) {
                log.add("(log closed: " + e + ")");
              }
              listening.countDown();
            });
    return listening.await(20, TimeUnit.SECONDS) && process.isAlive();
  }

  public int port() {
    return port;
  }

  /** The user sessions run as: the one running this JVM. */
  public String user() {
    return System.getProperty("user.name");
  }

  /** Replaces the keys the server accepts. */
  public void authorize(List<String> publicKeys) throws IOException {
    Path tmp = dir.resolve("authorized_keys.tmp");
    Files.writeString(tmp, publicKeys.isEmpty() ? "" : String.join("\n", publicKeys) + "\n");
    Files.move(tmp, dir.resolve("authorized_keys"), StandardCopyOption.ATOMIC_MOVE);
  }

  /** A known_hosts file that trusts this server's host key under these names. */
  public Path knownHosts(String... names) throws IOException {
    String key = Files.readString(dir.resolve("host_ed25519.pub")).strip();
    String[] parts = key.split(" ");
    List<String> lines = new ArrayList<>();
    for (String name : names) {
      lines.add(name + " " + parts[0] + " " + parts[1]);
    }
    Path file = dir.resolve("known_hosts");
    Files.writeString(file, String.join("\n", lines) + "\n");
    return file;
  }

  /** What sshd logged so far. */
  public List<String> log() {
    synchronized (log) {
      return List.copyOf(log);
    }
  }

  /**
   * A new user key pair made by ssh-keygen.
   *
   * @return the private key file; the public key is next to it with {@code .pub}
   */
  public static Path userKey(Path dir, String name, String type)
      throws IOException, InterruptedException {
    Files.createDirectories(dir);
    Path key = dir.resolve(name);
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "ssh-keygen",
                "-q",
                "-t",
                type,
                "-N",
                "",
                "-C",
                name + "@test",
                "-f",
                key.toString()));
    if (type.equals("rsa")) {
      cmd.addAll(List.of("-b", "3072"));
    }
    run(cmd);
    return key;
  }

  /** Runs a short command; its output when it succeeds. */
  public static String run(List<String> command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException(command.get(0) + " failed: " + out);
    }
    return out;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }

  /** For messages: the server's state. */
  @Override
  public String toString() {
    return "sshd on 127.0.0.1:" + port + (process.isAlive() ? "" : " (exited)");
  }
}
