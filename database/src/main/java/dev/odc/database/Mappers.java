package dev.odc.database;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.odc.core.ApiKey;
import dev.odc.core.AuditEvent;
import dev.odc.core.Disk;
import dev.odc.core.DiskSnapshot;
import dev.odc.core.GpuType;
import dev.odc.core.Reservation;
import dev.odc.core.ReservationStatus;
import dev.odc.core.Role;
import dev.odc.core.StatusChange;
import dev.odc.core.User;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * Row mappers of the core records, by column name (so {@code select *} and explicit column lists
 * both work). Registered by {@link Database#configure}.
 */
final class Mappers {
  private static final TypeReference<Map<String, String>> STRING_MAP = new TypeReference<>() {};
  private static final TypeReference<Map<String, Object>> OBJECT_MAP = new TypeReference<>() {};
  private static final TypeReference<List<StatusChange>> HISTORY = new TypeReference<>() {};

  private Mappers() {}

  static Instant instant(ResultSet rs, String column) throws SQLException {
    OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
    return value == null ? null : value.toInstant();
  }

  static Integer integer(ResultSet rs, String column) throws SQLException {
    int value = rs.getInt(column);
    return rs.wasNull() ? null : value;
  }

  static UUID uuid(ResultSet rs, String column) throws SQLException {
    return rs.getObject(column, UUID.class);
  }

  static List<String> strings(ResultSet rs, String column) throws SQLException {
    Array array = rs.getArray(column);
    if (array == null) {
      return List.of();
    }
    try {
      return List.of((String[]) array.getArray());
    } finally {
      array.free();
    }
  }

  static List<Integer> integers(ResultSet rs, String column) throws SQLException {
    Array array = rs.getArray(column);
    if (array == null) {
      return List.of();
    }
    try {
      return Arrays.asList((Integer[]) array.getArray());
    } finally {
      array.free();
    }
  }

  static <T> T json(ResultSet rs, String column, TypeReference<T> type, T empty)
      throws SQLException {
    String text = rs.getString(column);
    if (text == null) {
      return empty;
    }
    try {
      return Database.MAPPER.readValue(text, type);
    } catch (JsonProcessingException e) {
      throw new SQLException("column " + column + " holds JSON that does not map", e);
    }
  }

  // AuditEvent copies details with Map.copyOf, which rejects null values
  private static Map<String, Object> withoutNulls(Map<String, Object> map) {
    Map<String, Object> copy = new java.util.LinkedHashMap<>(map);
    copy.values().removeIf(java.util.Objects::isNull);
    return copy;
  }

  /** Serializes a value for a jsonb parameter ({@code cast(:x as jsonb)}). */
  static String toJson(Object value) {
    try {
      return Database.MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("value cannot be written as JSON: " + e.getMessage(), e);
    }
  }

  static final class ReservationMapper implements RowMapper<Reservation> {
    @Override
    public Reservation map(ResultSet rs, StatementContext ctx) throws SQLException {
      return new Reservation(
          uuid(rs, "id"),
          uuid(rs, "user_id"),
          rs.getString("username"),
          rs.getString("name"),
          rs.getString("gpu_type"),
          rs.getInt("gpu_count"),
          rs.getInt("node_count"),
          rs.getString("image"),
          rs.getDouble("hours"),
          rs.getString("disk_name"),
          json(rs, "labels", STRING_MAP, Map.of()),
          ReservationStatus.valueOf(rs.getString("status")),
          rs.getString("failure_reason"),
          integer(rs, "queue_position"),
          instant(rs, "estimated_start_at"),
          rs.getString("namespace"),
          rs.getString("pod_name"),
          rs.getString("node_name"),
          rs.getString("ssh_host"),
          integer(rs, "ssh_port"),
          instant(rs, "created_at"),
          instant(rs, "started_at"),
          instant(rs, "expires_at"),
          instant(rs, "ended_at"),
          integers(rs, "warnings_sent"),
          json(rs, "status_history", HISTORY, List.of()),
          rs.getLong("version"));
    }
  }

  static final class QueueEntryMapper implements RowMapper<QueueEntry> {
    @Override
    public QueueEntry map(ResultSet rs, StatementContext ctx) throws SQLException {
      return new QueueEntry(
          uuid(rs, "id"),
          uuid(rs, "user_id"),
          ReservationStatus.valueOf(rs.getString("status")),
          rs.getInt("gpu_count"),
          rs.getInt("node_count"),
          instant(rs, "created_at"),
          rs.getLong("version"));
    }
  }

  static final class DiskMapper implements RowMapper<Disk> {
    @Override
    public Disk map(ResultSet rs, StatementContext ctx) throws SQLException {
      return new Disk(
          uuid(rs, "id"),
          uuid(rs, "user_id"),
          rs.getString("name"),
          rs.getInt("size_gb"),
          rs.getString("storage_class"),
          rs.getString("zone"),
          rs.getString("pvc_name"),
          uuid(rs, "in_use_by"),
          rs.getString("last_snapshot_name"),
          rs.getBoolean("orphaned"),
          instant(rs, "created_at"),
          instant(rs, "deleted_at"));
    }
  }

  static final class DiskSnapshotMapper implements RowMapper<DiskSnapshot> {
    @Override
    public DiskSnapshot map(ResultSet rs, StatementContext ctx) throws SQLException {
      return new DiskSnapshot(
          uuid(rs, "id"),
          uuid(rs, "disk_id"),
          rs.getString("snapshot_name"),
          rs.getString("cloud_snapshot_id"),
          integer(rs, "size_gb"),
          rs.getBoolean("ready"),
          instant(rs, "created_at"),
          instant(rs, "retained_until"),
          instant(rs, "deleted_at"),
          rs.getString("failure"));
    }
  }

  static final class GpuTypeMapper implements RowMapper<GpuType> {
    @Override
    public GpuType map(ResultSet rs, StatementContext ctx) throws SQLException {
      return new GpuType(
          rs.getString("name"),
          rs.getString("node_label_value"),
          rs.getInt("gpus_per_node"),
          rs.getInt("cpus_per_node"),
          rs.getInt("memory_gb_per_node"),
          rs.getInt("total_gpus"),
          rs.getInt("in_use_gpus"),
          rs.getInt("free_gpus"),
          rs.getInt("full_nodes_free"),
          rs.getInt("max_reservable"),
          rs.getInt("queued"),
          rs.getLong("estimated_wait_seconds"),
          instant(rs, "updated_at"));
    }
  }

  static final class UserMapper implements RowMapper<User> {
    @Override
    public User map(ResultSet rs, StatementContext ctx) throws SQLException {
      Set<Role> roles = EnumSet.noneOf(Role.class);
      for (String role : strings(rs, "roles")) {
        roles.add(Role.valueOf(role));
      }
      return new User(
          uuid(rs, "id"),
          rs.getString("issuer"),
          rs.getString("subject"),
          rs.getString("username"),
          rs.getString("email"),
          roles,
          rs.getBoolean("disabled"),
          instant(rs, "created_at"));
    }
  }

  static final class ApiKeyMapper implements RowMapper<ApiKey> {
    @Override
    public ApiKey map(ResultSet rs, StatementContext ctx) throws SQLException {
      return new ApiKey(
          uuid(rs, "id"),
          uuid(rs, "user_id"),
          rs.getString("name"),
          rs.getString("prefix"),
          new ArrayList<>(strings(rs, "scopes")),
          instant(rs, "created_at"),
          instant(rs, "expires_at"),
          instant(rs, "revoked_at"),
          instant(rs, "last_used_at"));
    }
  }

  static final class AuditEventMapper implements RowMapper<AuditEvent> {
    @Override
    public AuditEvent map(ResultSet rs, StatementContext ctx) throws SQLException {
      return new AuditEvent(
          rs.getLong("id"),
          instant(rs, "at"),
          rs.getString("actor"),
          rs.getString("action"),
          rs.getString("resource_type"),
          rs.getString("resource_id"),
          rs.getString("outcome"),
          withoutNulls(json(rs, "details", OBJECT_MAP, Map.of())),
          rs.getString("prev_hash"),
          rs.getString("hash"));
    }
  }
}
