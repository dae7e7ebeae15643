package dev.odc.cli;

import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The server a tunnelled command reaches: a reservation, and one of its nodes. */
final class ServerTarget {
  @Parameters(
      index = "0",
      paramLabel = "ID",
      description = "Reservation id or its first 8 characters.")
  String id;

  @Option(
      names = "--node",
      paramLabel = "N",
      description = "Node of a multi-node reservation, from 0 (default 0).")
  int node;
}
