package dev.odc.cronjobs;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.odc.cronjobs.expiry.ExpirySettings;
import dev.odc.cronjobs.snapshots.RetentionPolicy;
import io.dropwizard.util.Duration;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import java.util.ArrayList;
import java.util.List;

/** The {@code jobs:} section: schedules and rules of each job. */
public class JobsConfiguration {

  /** How often a job runs, and whether it runs at all. */
  public static class Schedule {
    @JsonProperty private boolean enabled = true;
    @JsonProperty @NotNull private Duration interval;

    public Schedule() {}

    Schedule(Duration interval) {
      this.interval = interval;
    }

    public boolean isEnabled() {
      return enabled;
    }

    public Duration getInterval() {
      return interval;
    }
  }

  public static class Availability extends Schedule {
    public Availability() {
      super(Duration.seconds(30));
    }
  }

  public static class Expiry extends Schedule {
    @JsonProperty @NotEmpty
    private List<@Min(1) Integer> warningMinutes = new ArrayList<>(List.of(30, 15, 5));

    @JsonProperty @NotNull private Duration grace = Duration.minutes(5);
    @JsonProperty @NotNull private Duration preparingLimit = Duration.minutes(30);
    @JsonProperty @NotNull private Duration queuedLimit = Duration.hours(24);
    @JsonProperty @NotNull private Duration vanishedPodGrace = Duration.minutes(2);
    @JsonProperty @NotNull private Duration execTimeout = Duration.seconds(10);

    /** Optional JSON webhook (Slack-compatible {@code text}); empty for none. */
    @JsonProperty private String webhookUrl = "";

    public Expiry() {
      super(Duration.minutes(1));
    }

    public ExpirySettings settings() {
      return new ExpirySettings(
          warningMinutes,
          grace.toJavaDuration(),
          preparingLimit.toJavaDuration(),
          queuedLimit.toJavaDuration(),
          vanishedPodGrace.toJavaDuration());
    }

    public String getWebhookUrl() {
      return webhookUrl;
    }

    public java.time.Duration execTimeout() {
      return execTimeout.toJavaDuration();
    }
  }

  public static class SnapshotRetention extends Schedule {
    @JsonProperty
    @Min(0)
    private int keepNewest = 3;

    @JsonProperty @NotNull private Duration maxAge = Duration.days(7);

    @JsonProperty
    @Min(1)
    private int maxDeletionsPerRun = 10;

    @JsonProperty @NotNull private Duration neverReadyLimit = Duration.hours(6);

    public SnapshotRetention() {
      super(Duration.hours(1));
    }

    public RetentionPolicy policy() {
      return new RetentionPolicy(
          keepNewest,
          maxAge.toJavaDuration(),
          maxDeletionsPerRun,
          neverReadyLimit.toJavaDuration());
    }
  }

  public static class Reconciliation extends Schedule {
    public Reconciliation() {
      super(Duration.minutes(15));
    }
  }

  @Valid @NotNull @JsonProperty private Availability availability = new Availability();
  @Valid @NotNull @JsonProperty private Expiry expiry = new Expiry();

  @Valid @NotNull @JsonProperty
  private SnapshotRetention snapshotRetention = new SnapshotRetention();

  @Valid @NotNull @JsonProperty private Reconciliation reconciliation = new Reconciliation();

  public Availability getAvailability() {
    return availability;
  }

  public Expiry getExpiry() {
    return expiry;
  }

  public SnapshotRetention getSnapshotRetention() {
    return snapshotRetention;
  }

  public Reconciliation getReconciliation() {
    return reconciliation;
  }
}
