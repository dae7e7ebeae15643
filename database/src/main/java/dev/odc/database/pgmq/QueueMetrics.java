package dev.odc.database.pgmq;

import java.time.Instant;

/**
 * What {@code pgmq.metrics(queue)} reports.
 *
 * @param queueLength messages in the queue, visible or not
 * @param newestMessageAgeSeconds null when the queue is empty
 * @param oldestMessageAgeSeconds null when the queue is empty
 * @param totalMessages messages ever sent to the queue
 */
public record QueueMetrics(
    String queueName,
    long queueLength,
    Integer newestMessageAgeSeconds,
    Integer oldestMessageAgeSeconds,
    long totalMessages,
    Instant scrapeTime) {}
