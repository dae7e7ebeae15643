package dev.odc.database;

import dev.odc.core.GpuType;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/**
 * The {@code gpu_types} table: definitions (from configuration) and availability (written by the
 * availability job).
 */
public interface GpuTypeDao {
  String COLUMNS =
      "name, node_label_value, gpus_per_node, cpus_per_node, memory_gb_per_node, total_gpus,"
          + " in_use_gpus, free_gpus, full_nodes_free, max_reservable, queued,"
          + " estimated_wait_seconds, updated_at";

  /** Inserts or updates a type's definition; its availability columns are left as they are. */
  @SqlUpdate(
      "insert into gpu_types (name, node_label_value, gpus_per_node, cpus_per_node,"
          + " memory_gb_per_node) values (:name, :nodeLabelValue, :gpusPerNode, :cpusPerNode,"
          + " :memoryGbPerNode) on conflict (name) do update set"
          + " node_label_value = excluded.node_label_value,"
          + " gpus_per_node = excluded.gpus_per_node, cpus_per_node = excluded.cpus_per_node,"
          + " memory_gb_per_node = excluded.memory_gb_per_node")
  void upsertDefinition(
      @Bind("name") String name,
      @Bind("nodeLabelValue") String nodeLabelValue,
      @Bind("gpusPerNode") int gpusPerNode,
      @Bind("cpusPerNode") int cpusPerNode,
      @Bind("memoryGbPerNode") int memoryGbPerNode);

  /** Writes the availability the job measured. @return false for an unknown type */
  default boolean updateAvailability(GpuType measured) {
    return updateAvailabilityRow(
        measured.name(),
        measured.totalGpus(),
        measured.inUseGpus(),
        measured.freeGpus(),
        measured.fullNodesFree(),
        measured.maxReservable(),
        measured.queued(),
        measured.estimatedWaitSeconds(),
        measured.updatedAt() != null ? measured.updatedAt() : Instant.now());
  }

  @SqlUpdate(
      "update gpu_types set total_gpus = :total, in_use_gpus = :inUse, free_gpus = :free,"
          + " full_nodes_free = :fullNodesFree, max_reservable = :maxReservable,"
          + " queued = :queued, estimated_wait_seconds = :wait, updated_at = :at"
          + " where name = :name")
  boolean updateAvailabilityRow(
      @Bind("name") String name,
      @Bind("total") int total,
      @Bind("inUse") int inUse,
      @Bind("free") int free,
      @Bind("fullNodesFree") int fullNodesFree,
      @Bind("maxReservable") int maxReservable,
      @Bind("queued") int queued,
      @Bind("wait") long estimatedWaitSeconds,
      @Bind("at") Instant at);

  @SqlQuery("select " + COLUMNS + " from gpu_types where name = :name")
  Optional<GpuType> find(@Bind("name") String name);

  @SqlQuery("select " + COLUMNS + " from gpu_types order by name")
  List<GpuType> list();

  /**
   * @return false for an unknown type
   */
  @SqlUpdate("delete from gpu_types where name = :name")
  boolean delete(@Bind("name") String name);
}
