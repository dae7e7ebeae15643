package dev.odc.processor.queue;

import dev.odc.processor.placement.ZoneRule;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/** Reads the zone rules of the reservations that wait or are being prepared. */
public final class ZoneRules {
  private final Jdbi jdbi;

  public ZoneRules(Jdbi jdbi) {
    this.jdbi = Objects.requireNonNull(jdbi, "jdbi is null");
  }

  /**
   * The zone rules of the reservations of a GPU type that wait or are being prepared, in one query:
   * only those whose disk has a claim in a zone have one (see {@link ZoneRule#ofDisk}).
   */
  public Map<UUID, ZoneRule> of(String gpuType) {
    Map<UUID, ZoneRule> rules = new HashMap<>();
    jdbi.useHandle(
        h ->
            h.createQuery(
                    "select r.id, d.zone, exists (select 1 from disk_snapshots s"
                        + " where s.disk_id = d.id and s.deleted_at is null) as movable"
                        + " from reservations r join disks d on d.user_id = r.user_id"
                        + " and d.name = r.disk_name and d.deleted_at is null"
                        + " where r.gpu_type = :gpuType"
                        + " and r.status in ('PENDING', 'QUEUED', 'PREPARING')"
                        + " and d.pvc_name is not null and d.zone is not null")
                .bind("gpuType", gpuType)
                .map(
                    (rs, ctx) -> {
                      rules.put(
                          rs.getObject("id", UUID.class),
                          ZoneRule.ofDisk(rs.getString("zone"), rs.getBoolean("movable")));
                      return null;
                    })
                .list());
    return rules;
  }
}
