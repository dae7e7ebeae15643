package dev.odc.database.pgmq;

import java.time.Instant;

/**
 * One delivery of a queue message.
 *
 * @param msgId the message's id in its queue, for {@link Pgmq#delete}, {@link Pgmq#archive} and
 *     {@link Pgmq#setVt}
 * @param readCount how many times the message has been delivered, this delivery included
 * @param vt until when the message stays hidden from other readers
 */
public record QueueMessage<T>(
    long msgId, int readCount, Instant enqueuedAt, Instant vt, T message) {}
