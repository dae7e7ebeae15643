package dev.odc.cronjobs.reconcile;

import java.util.UUID;

/** A disk lock and the status of the reservation holding it. */
public record DiskLock(UUID diskId, UUID reservationId, String status) {}
