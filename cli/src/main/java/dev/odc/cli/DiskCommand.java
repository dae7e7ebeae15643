package dev.odc.cli;

import dev.odc.core.Disk;
import dev.odc.core.DiskSnapshot;
import dev.odc.core.api.CreateDiskRequest;
import dev.odc.core.api.RenameDiskRequest;
import dev.odc.core.api.RestoreDiskRequest;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "disk",
    description = "Manage your persistent home disks.",
    subcommands = {
      DiskCommand.ListDisks.class,
      DiskCommand.Create.class,
      DiskCommand.Delete.class,
      DiskCommand.Rename.class,
      DiskCommand.Snapshots.class,
      DiskCommand.Restore.class
    },
    footer = {
      "",
      "Examples:",
      "  gpu-dev disk create data --size 200",
      "  gpu-dev disk list",
      "  gpu-dev disk snapshots data"
    })
final class DiskCommand implements Callable<Integer> {
  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "Show this help message and exit.")
  boolean help;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return ExitCodes.USAGE;
  }

  static String path(String name) {
    if (!dev.odc.core.Checks.isValidName(name)) {
      throw CliException.usage(
          "'"
              + name
              + "' is not a valid disk name: lower-case letters, digits and '-', starting with a letter");
    }
    return "/v1/disks/" + name;
  }

  static void table(Session s, List<Disk> disks) {
    Table t = new Table("NAME", "SIZE", "IN USE BY", "LAST SNAPSHOT", "CREATED");
    for (Disk d : disks) {
      t.row(
          d.name(),
          d.sizeGb() + " GB",
          d.inUseBy() == null ? null : d.inUseBy().toString().substring(0, 8),
          d.lastSnapshotName(),
          Fmt.time(d.createdAt()));
    }
    if (t.isEmpty()) {
      s.out().println("No disks.");
      s.out().flush();
    } else {
      t.print(s.out());
    }
  }

  @Command(name = "list", aliases = "ls", description = "List your disks.")
  static final class ListDisks implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin CommonOptions common;

    @Override
    public Integer call() {
      Session s = Session.of(spec, common);
      List<Disk> disks = s.api().listAll("/v1/disks", Disk.class, 0);
      if (common.json()) {
        s.printJson(disks);
      } else {
        table(s, disks);
      }
      return ExitCodes.OK;
    }
  }

  @Command(name = "create", description = "Create a disk.")
  static final class Create implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin CommonOptions common;

    @Parameters(paramLabel = "NAME", description = "Disk name.")
    String name;

    @Option(
        names = "--size",
        paramLabel = "GB",
        description = "Size in GB (default: the platform's).")
    Integer sizeGb;

    @Override
    public Integer call() {
      Session s = Session.of(spec, common);
      path(name);
      Disk d = s.api().post("/v1/disks", new CreateDiskRequest(name, sizeGb), Disk.class);
      if (common.json()) {
        s.printJson(d);
      } else {
        s.out().println("Created disk " + d.name() + " (" + d.sizeGb() + " GB).");
        s.out().flush();
      }
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "delete",
      aliases = "rm",
      description = "Delete a disk (refused while a reservation uses it).")
  static final class Delete implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin CommonOptions common;

    @Parameters(paramLabel = "NAME", description = "Disk name.")
    String name;

    @Override
    public Integer call() {
      Session s = Session.of(spec, common);
      s.api().delete(path(name));
      s.out().println("Deleted disk " + name + ".");
      s.out().flush();
      return ExitCodes.OK;
    }
  }

  @Command(name = "rename", description = "Rename a disk.")
  static final class Rename implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin CommonOptions common;

    @Parameters(index = "0", paramLabel = "NAME", description = "Current name.")
    String name;

    @Parameters(index = "1", paramLabel = "NEW_NAME", description = "New name.")
    String newName;

    @Override
    public Integer call() {
      Session s = Session.of(spec, common);
      path(newName);
      Disk d = s.api().post(path(name) + "/rename", new RenameDiskRequest(newName), Disk.class);
      if (common.json()) {
        s.printJson(d);
      } else {
        s.out().println("Renamed disk " + name + " to " + newName + ".");
        s.out().flush();
      }
      return ExitCodes.OK;
    }
  }

  @Command(name = "snapshots", description = "List a disk's snapshots.")
  static final class Snapshots implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin CommonOptions common;

    @Parameters(paramLabel = "NAME", description = "Disk name.")
    String name;

    @Override
    public Integer call() {
      Session s = Session.of(spec, common);
      List<DiskSnapshot> snaps = s.api().listAll(path(name) + "/snapshots", DiskSnapshot.class, 0);
      if (common.json()) {
        s.printJson(snaps);
        return ExitCodes.OK;
      }
      Table t = new Table("ID", "CREATED", "STATE", "SIZE", "SNAPSHOT");
      for (DiskSnapshot d : snaps) {
        t.row(
            d.id().toString(),
            Fmt.time(d.createdAt()),
            d.ready() ? "ready" : d.failed() ? "failed: " + d.failure() : "pending",
            d.sizeGb() == null ? null : d.sizeGb() + " GB",
            d.snapshotName());
      }
      if (t.isEmpty()) {
        s.out().println("No snapshots.");
        s.out().flush();
      } else {
        t.print(s.out());
      }
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "restore",
      description =
          "Make the disk's next reservation start from one of its ready snapshots (an undo for a"
              + " broken home directory). The current contents stay in the previous claim until"
              + " that reservation is running.")
  static final class Restore implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin CommonOptions common;

    @Parameters(paramLabel = "NAME", description = "Disk name.")
    String name;

    @Option(
        names = "--snapshot",
        required = true,
        paramLabel = "ID",
        description = "Snapshot id, as `gpu-dev disk snapshots NAME` lists it.")
    String snapshotId;

    @Override
    public Integer call() {
      Session s = Session.of(spec, common);
      DiskSnapshot chosen =
          s.api()
              .post(
                  path(name) + "/restore", new RestoreDiskRequest(snapshotId), DiskSnapshot.class);
      if (common.json()) {
        s.printJson(chosen);
      } else {
        s.out()
            .println(
                "Disk "
                    + name
                    + ": the next reservation starts from snapshot "
                    + chosen.id()
                    + " of "
                    + Fmt.time(chosen.createdAt())
                    + ".");
        s.out().flush();
      }
      return ExitCodes.OK;
    }
  }
}
