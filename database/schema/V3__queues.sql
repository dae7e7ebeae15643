-- The queues ODC uses (dev.odc.core.queue.ReservationMessage.QUEUE, DiskOperationMessage.QUEUE).
select pgmq.create('reservations');
select pgmq.create('disk_operations');
