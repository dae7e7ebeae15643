package dev.odc.cronjobs.testing;

import dev.odc.core.Reservation;
import dev.odc.core.ReservationStatus;
import dev.odc.core.StatusChange;
import dev.odc.cronjobs.scheduler.CronjobsMigrations;
import dev.odc.cronjobs.scheduler.RunContext;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.jdbi.v3.core.Jdbi;

/** Shared set-up of the job tests: the cronjobs schema, a user, reservations. */
public final class CronTesting {
  private CronTesting() {}

  /** Applies the cronjobs migrations and empties the jobs' bookkeeping (not Quartz's tables). */
  public static void resetCronjobsSchema(DataSource dataSource, Jdbi jdbi) {
    CronjobsMigrations.migrate(dataSource);
    jdbi.useHandle(
        h ->
            h.execute(
                "truncate cronjobs.job_runs, cronjobs.expiry_enqueued,"
                    + " cronjobs.snapshot_findings"));
  }

  public static UUID insertUser(Jdbi jdbi, String username) {
    UUID id = UUID.randomUUID();
    jdbi.useHandle(
        h ->
            h.createUpdate(
                    "insert into users (id, issuer, subject, username) values (:id, 'test',"
                        + " :u, :u)")
                .bind("id", id)
                .bind("u", username)
                .execute());
    return id;
  }

  /** A reservation in {@code status}, entered at {@code since}. */
  public static Reservation reservation(
      UUID userId,
      String name,
      ReservationStatus status,
      Instant since,
      String podName,
      Instant expiresAt) {
    return new Reservation(
        UUID.randomUUID(),
        userId,
        "alice",
        name,
        "h100",
        1,
        1,
        "ubuntu",
        2,
        null,
        Map.of(),
        status,
        null,
        null,
        null,
        podName == null ? null : "odc-reservations",
        podName,
        null,
        null,
        null,
        since.minusSeconds(60),
        status == ReservationStatus.ACTIVE ? since : null,
        expiresAt,
        null,
        List.of(),
        List.of(new StatusChange(status, since, "system:processor", null)),
        0);
  }

  public static RunContext run(Instant now) {
    return new RunContext(now, now, "test");
  }
}
