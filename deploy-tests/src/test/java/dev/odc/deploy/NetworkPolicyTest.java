package dev.odc.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odc.deploy.Chart.Profile;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Reservation pods run users' code in the same cluster as the control plane: by default no Service
 * publishes a service's admin port, NetworkPolicies open only the api-service's API port to anyone,
 * and the bundled PostgreSQL only to ODC's own pods.
 */
class NetworkPolicyTest {
  private static final List<String> COMPONENTS =
      List.of("api-service", "reservation-processor", "cronjobs");

  private static List<String> ports(NetworkPolicyIngressRule rule) {
    return rule.getPorts().stream()
        .map(NetworkPolicyPort::getPort)
        .map(p -> p.getStrVal() != null ? p.getStrVal() : String.valueOf(p.getIntVal()))
        .toList();
  }

  @Test
  void byDefaultNoServicePublishesTheAdminPort() {
    List<HasMetadata> objects = Chart.parse(Chart.template(Profile.DEFAULT));
    for (Service service : Chart.ofType(objects, Service.class)) {
      assertThat(service.getSpec().getPorts())
          .as(service.getMetadata().getName())
          .noneMatch(p -> p.getPort() == 8081 || "admin".equals(p.getName()));
    }
  }

  @ParameterizedTest
  @EnumSource(Profile.class)
  void onlyTheApiPortIsOpenToAnyoneAndTheAdminPortOnlyToScrapers(Profile profile) {
    List<HasMetadata> objects = Chart.parse(Chart.template(profile));
    for (String component : COMPONENTS) {
      NetworkPolicy policy = Chart.named(objects, NetworkPolicy.class, "odc-" + component);
      assertThat(policy.getSpec().getPodSelector().getMatchLabels())
          .containsEntry("app.kubernetes.io/component", component)
          .containsEntry("app.kubernetes.io/instance", Chart.RELEASE);
      assertThat(policy.getSpec().getPolicyTypes()).containsExactly("Ingress");
      List<NetworkPolicyIngressRule> rules = policy.getSpec().getIngress();
      for (NetworkPolicyIngressRule rule : rules) {
        if (ports(rule).contains("admin")) {
          // the admin port: scrapers only, never everyone
          assertThat(ports(rule)).containsExactly("admin");
          assertThat(rule.getFrom()).isNotEmpty();
          assertThat(rule.getFrom())
              .allSatisfy(peer -> assertThat(peer.getPodSelector()).isNotNull());
        } else {
          assertThat(component).isEqualTo("api-service");
          assertThat(ports(rule)).containsExactly("http");
        }
      }
      if (component.equals("api-service")) {
        assertThat(rules).anySatisfy(r -> assertThat(ports(r)).containsExactly("http"));
      } else {
        // nothing but the kubelet's probes (not subject to policies) and scrapers reach these
        assertThat(rules).allSatisfy(r -> assertThat(ports(r)).containsExactly("admin"));
      }
    }
  }

  @Test
  void withAServiceMonitorOnlyTheScrapersReachTheAdminPort() {
    List<HasMetadata> objects =
        Chart.parse(Chart.template(Profile.DEFAULT, Map.of("serviceMonitor.enabled", "true")));
    for (String component : COMPONENTS) {
      Service admin = Chart.named(objects, Service.class, "odc-" + component + "-admin");
      assertThat(admin.getSpec().getClusterIP()).isEqualTo("None");
      NetworkPolicy policy = Chart.named(objects, NetworkPolicy.class, "odc-" + component);
      NetworkPolicyIngressRule adminRule =
          policy.getSpec().getIngress().stream()
              .filter(r -> ports(r).contains("admin"))
              .findFirst()
              .orElseThrow();
      assertThat(adminRule.getFrom()).hasSize(1);
      assertThat(adminRule.getFrom().get(0).getPodSelector().getMatchLabels())
          .containsEntry("app.kubernetes.io/name", "prometheus");
    }
  }

  @Test
  void theBundledDatabaseTakesConnectionsFromOdcPodsOnly() {
    List<HasMetadata> objects = Chart.parse(Chart.template(Profile.DEFAULT));
    NetworkPolicy db = Chart.named(objects, NetworkPolicy.class, "odc-postgresql");
    assertThat(db.getSpec().getIngress()).hasSize(1);
    NetworkPolicyIngressRule rule = db.getSpec().getIngress().get(0);
    assertThat(ports(rule)).containsExactly("5432");
    assertThat(rule.getFrom()).hasSize(1);
    assertThat(rule.getFrom().get(0).getNamespaceSelector()).isNull();
    assertThat(rule.getFrom().get(0).getPodSelector().getMatchExpressions())
        .anySatisfy(
            e -> {
              assertThat(e.getKey()).isEqualTo("app.kubernetes.io/component");
              assertThat(e.getValues())
                  .containsExactlyInAnyOrder(
                      "api-service", "reservation-processor", "cronjobs", "migrate");
            });
  }

  @Test
  void reservationPodsCanBeKeptFromAnExternalDatabase() {
    List<HasMetadata> objects =
        Chart.parse(
            Chart.template(
                Profile.DEFAULT,
                Map.of("networkPolicy.reservationsDenyEgressTo[0]", "10.20.0.0/16")));
    NetworkPolicy egress = Chart.named(objects, NetworkPolicy.class, "odc-reservations-egress");
    assertThat(egress.getMetadata().getNamespace()).isNotEqualTo(Chart.NAMESPACE);
    assertThat(egress.getSpec().getEgress().get(1).getTo().get(0).getIpBlock().getExcept())
        .containsExactly("10.20.0.0/16");
  }

  @Test
  void policiesCanBeTurnedOff() {
    List<HasMetadata> objects =
        Chart.parse(Chart.template(Profile.DEFAULT, Map.of("networkPolicy.enabled", "false")));
    // the dev servers' own policy has its switch, ssh.networkPolicy.enabled
    assertThat(Chart.ofType(objects, NetworkPolicy.class))
        .extracting(n -> n.getMetadata().getName())
        .containsExactly(DevServerNetworkPolicyTest.DEV_SERVERS);
  }
}
