package dev.odc.processor;

import dev.odc.core.service.ServiceApplication;
import dev.odc.database.Database;
import dev.odc.providers.kubernetes.KubernetesStorageBackend;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.core.setup.Environment;
import io.dropwizard.db.DataSourceFactory;
import io.dropwizard.db.ManagedDataSource;
import io.dropwizard.lifecycle.Managed;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.jdbi.v3.core.Jdbi;

/** The reservation processor: {@code java -jar reservation-processor.jar server config.yml}. */
public class ProcessorApplication extends ServiceApplication<ProcessorConfiguration> {
  public static void main(String[] args) throws Exception {
    new ProcessorApplication().run(args);
  }

  @Override
  public String getName() {
    return "odc-reservation-processor";
  }

  @Override
  public void initialize(Bootstrap<ProcessorConfiguration> bootstrap) {
    super.initialize(bootstrap);
  }

  @Override
  public void run(ProcessorConfiguration config, Environment environment) {
    ManagedDataSource dataSource =
        config.getDatabase().build(environment.metrics(), "processor-db");
    environment.lifecycle().manage(dataSource);
    Database.migrate(dataSource);
    Jdbi jdbi = Database.jdbi(dataSource);
    // Each consumer thread holds one LISTEN connection for as long as it runs (the reservations
    // workers, plus the one disk_operations thread): they come from a pool of their own, so they
    // never leave the workers without connections to work with.
    ManagedDataSource listenDataSource =
        listenPool(config.getDatabase(), config.getWorkerThreads() + 1)
            .build(environment.metrics(), "processor-listen");
    environment.lifecycle().manage(listenDataSource);
    servePrometheus(environment);
    KubernetesClient client = config.getKubernetes().build();
    environment
        .lifecycle()
        .manage(
            new Managed() {
              @Override
              public void stop() {
                client.close();
              }
            });
    Processor processor =
        new Processor(
            jdbi,
            client,
            new KubernetesStorageBackend(client, config.getStorage()),
            config.settings(),
            // what users registered with the API, and any the operator configured
            SshKeySource.union(SshKeySource.registered(jdbi), config.sshKeySource()),
            environment.metrics());
    environment
        .lifecycle()
        .manage(
            new Managed() {
              @Override
              public void start() {
                processor.start(listenDataSource);
              }

              @Override
              public void stop() throws Exception {
                processor.stop();
              }
            });
    environment.healthChecks().register("processor", new ProcessorHealthCheck(processor));
  }

  /** The database settings of {@code database} for a pool of {@code size} LISTEN connections. */
  static DataSourceFactory listenPool(DataSourceFactory database, int size) {
    DataSourceFactory listen = new DataSourceFactory();
    listen.setDriverClass(database.getDriverClass());
    listen.setUrl(database.getUrl());
    listen.setUser(database.getUser());
    listen.setPassword(database.getPassword());
    listen.setProperties(database.getProperties());
    listen.setInitialSize(0);
    listen.setMinSize(0);
    listen.setMaxSize(size);
    return listen;
  }
}
