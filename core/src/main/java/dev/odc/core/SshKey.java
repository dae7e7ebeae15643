package dev.odc.core;

import java.time.Instant;
import java.util.Locale;
import java.util.UUID;

/**
 * An SSH public key a user registered; the processor puts a user's keys into their servers' {@code
 * authorized_keys}.
 *
 * @param type the key type as OpenSSH names it, e.g. {@code ssh-ed25519}
 * @param bits the key size as {@code ssh-keygen -l} prints it
 * @param fingerprint {@code SHA256:} and the unpadded base64 of the SHA-256 of the key blob, as
 *     {@code ssh-keygen -l} prints it
 * @param publicKey the key as one {@code authorized_keys} line: type and base64 blob, no comment
 */
public record SshKey(
    UUID id,
    UUID userId,
    String name,
    String type,
    int bits,
    String fingerprint,
    String publicKey,
    Instant createdAt) {
  public SshKey {
    Checks.notNull(id, "id");
    Checks.notNull(userId, "userId");
    Checks.notBlank(name, "name");
    Checks.notBlank(type, "type");
    Checks.positive(bits, "bits");
    Checks.notBlank(fingerprint, "fingerprint");
    Checks.notBlank(publicKey, "publicKey");
    Checks.notNull(createdAt, "createdAt");
  }

  /**
   * Whether a text looks like a private key in any common form (PEM, OpenSSH, PuTTY), so that the
   * CLI never sends one and the API never stores or repeats one.
   */
  public static boolean looksPrivate(String text) {
    String upper = text.toUpperCase(Locale.ROOT);
    return upper.contains("PRIVATE KEY")
        || upper.contains("PUTTY-USER-KEY-FILE")
        || upper.contains("SSH2 ENCRYPTED PRIVATE")
        || upper.contains("OPENSSH-KEY-V1")
        // the body of an OpenSSH private key without its armour lines: base64 of "openssh-key-v1"
        || text.contains("b3BlbnNzaC1rZXktdjE");
  }
}
