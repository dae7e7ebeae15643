package dev.odc.api.ssh;

import dev.odc.api.auth.OdcPrincipal;
import dev.odc.api.errors.ApiException;
import dev.odc.core.AuditEvent;
import dev.odc.core.ErrorCode;
import dev.odc.core.SshKey;
import dev.odc.core.User;
import dev.odc.core.api.AddSshKeyRequest;
import dev.odc.database.AuditLog;
import dev.odc.database.SshKeyDao;
import dev.odc.database.UserDao;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Users' SSH public keys. A key is checked by decoding it ({@link OpenSshPublicKey}); what the
 * caller sent is never logged, stored or repeated unless it is a valid public key.
 */
public class SshKeyService {
  private static final Logger log = LoggerFactory.getLogger(SshKeyService.class);
  private static final Pattern NAME = Pattern.compile("[\\x20-\\x7E]{1,100}");

  private final Jdbi jdbi;
  private final int maxKeysPerUser;
  private final Clock clock;

  public SshKeyService(Jdbi jdbi, int maxKeysPerUser, Clock clock) {
    this.jdbi = jdbi;
    this.maxKeysPerUser = maxKeysPerUser;
    this.clock = clock;
  }

  /** Registers a key of the caller's; audited as {@code ssh-key.add}. */
  public SshKey add(OdcPrincipal caller, AddSshKeyRequest request) {
    if (request == null) {
      throw ApiException.invalid(
          "publicKey", "publicKey is required: the contents of your .pub file");
    }
    OpenSshPublicKey key;
    try {
      key = OpenSshPublicKey.parse(request.publicKey());
    } catch (OpenSshPublicKey.InvalidKeyException e) {
      if (e.isPrivateKey()) {
        log.warn("Refused a private key that {} sent as an SSH public key", caller.getName());
      }
      throw ApiException.invalid("publicKey", e.getMessage());
    }
    String name = request.name() != null ? request.name().strip() : defaultName(key);
    if (!NAME.matcher(name).matches()) {
      throw ApiException.invalid("name", "name must be 1-100 printable ASCII characters");
    }
    User user = caller.user();
    SshKey created =
        new SshKey(
            UUID.randomUUID(),
            user.id(),
            name,
            key.type(),
            key.bits(),
            key.fingerprint(),
            key.authorizedKey(),
            clock.instant().truncatedTo(ChronoUnit.MICROS));
    return jdbi.inTransaction(
        handle -> {
          SshKeyDao keys = handle.attach(SshKeyDao.class);
          keys.lockUser(user.id());
          Optional<SshKey> same = keys.findByFingerprint(user.id(), created.fingerprint());
          if (same.isPresent()) {
            throw new ApiException(
                ErrorCode.CONFLICT,
                "this key is already registered as '"
                    + same.get().name()
                    + "' ("
                    + created.fingerprint()
                    + ")",
                Map.of("id", same.get().id().toString(), "fingerprint", created.fingerprint()));
          }
          int count = keys.countByUser(user.id());
          if (count >= maxKeysPerUser) {
            throw ApiException.limit(
                "ssh.maxKeysPerUser",
                maxKeysPerUser,
                "you have "
                    + count
                    + " SSH keys, the most allowed; remove one with `gpu-dev ssh-key remove`");
          }
          keys.insert(created);
          AuditLog.append(
              handle,
              caller.getName(),
              "ssh-key.add",
              "ssh-key",
              created.id().toString(),
              AuditEvent.SUCCESS,
              details(created, caller));
          return created;
        });
  }

  /**
   * The caller's keys, or (admins only) those of {@code username}.
   *
   * @throws ApiException FORBIDDEN when a user who is not an admin names someone else
   */
  public List<SshKey> list(OdcPrincipal caller, String username) {
    if (username == null || username.isBlank() || username.equals(caller.getName())) {
      return jdbi.onDemand(SshKeyDao.class).listByUser(caller.user().id());
    }
    if (!caller.isAdmin()) {
      throw new ApiException(ErrorCode.FORBIDDEN, "only admins may list other users' SSH keys");
    }
    return jdbi.onDemand(SshKeyDao.class).listByUsername(username);
  }

  /**
   * Removes a key: the caller's own, or anyone's for an admin; any other id answers 404. Audited as
   * {@code ssh-key.remove}.
   */
  public SshKey remove(OdcPrincipal caller, String id) {
    UUID keyId;
    try {
      keyId = UUID.fromString(id);
    } catch (IllegalArgumentException e) {
      throw ApiException.notFound("SSH key", id);
    }
    return jdbi.inTransaction(
        handle -> {
          SshKeyDao keys = handle.attach(SshKeyDao.class);
          SshKey key =
              keys.findById(keyId)
                  .filter(k -> k.userId().equals(caller.user().id()) || caller.isAdmin())
                  .orElseThrow(() -> ApiException.notFound("SSH key", id));
          keys.delete(keyId);
          Map<String, Object> details = details(key, caller);
          if (!key.userId().equals(caller.user().id())) {
            details.put(
                "owner",
                handle
                    .attach(UserDao.class)
                    .findById(key.userId())
                    .map(User::username)
                    .orElse(key.userId().toString()));
          }
          AuditLog.append(
              handle,
              caller.getName(),
              "ssh-key.remove",
              "ssh-key",
              key.id().toString(),
              AuditEvent.SUCCESS,
              details);
          return key;
        });
  }

  private static String defaultName(OpenSshPublicKey key) {
    String comment = key.comment();
    if (!comment.isEmpty() && NAME.matcher(comment).matches()) {
      return comment;
    }
    return key.type() + " key";
  }

  private static Map<String, Object> details(SshKey key, OdcPrincipal caller) {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("name", key.name());
    details.put("type", key.type());
    details.put("bits", key.bits());
    details.put("fingerprint", key.fingerprint());
    details.put("via", caller.method());
    return details;
  }
}
