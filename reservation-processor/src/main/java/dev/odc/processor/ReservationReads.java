package dev.odc.processor;

import dev.odc.core.Reservation;
import dev.odc.database.ReservationDao;
import dev.odc.database.ReservationNotFoundException;
import dev.odc.database.ReservationRows;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/** The reads of reservation rows every part of the processor makes. */
public final class ReservationReads {
  private final Jdbi jdbi;

  public ReservationReads(Jdbi jdbi) {
    this.jdbi = Objects.requireNonNull(jdbi, "jdbi is null");
  }

  public Optional<Reservation> find(UUID id) {
    return jdbi.withHandle(h -> ReservationRows.findById(h, id));
  }

  /**
   * @throws ReservationNotFoundException when the row is gone
   */
  public Reservation reload(UUID id) {
    return find(id).orElseThrow(() -> new ReservationNotFoundException(id));
  }

  public ReservationDao dao() {
    return jdbi.onDemand(ReservationDao.class);
  }
}
