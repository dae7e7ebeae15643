package dev.odc.core.api;

/**
 * {@code GET /v1/audit/verify}: result of walking the audit hash chain.
 *
 * @param firstBrokenId id of the first row whose hash does not match, or null when intact
 */
public record AuditVerification(
    boolean intact, long rowsChecked, Long firstBrokenId, String reason) {}
