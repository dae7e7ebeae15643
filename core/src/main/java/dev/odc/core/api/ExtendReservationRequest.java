package dev.odc.core.api;

/** Body of {@code POST /v1/reservations/{id}/extend}. */
public record ExtendReservationRequest(Double hours) {}
