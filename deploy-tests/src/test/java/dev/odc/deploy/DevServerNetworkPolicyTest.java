package dev.odc.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odc.deploy.Chart.Profile;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The chart's NetworkPolicy follows ssh.mode, ssh.tunnelPorts and its switch. */
class DevServerNetworkPolicyTest {
  static final String DEV_SERVERS = "odc-dev-servers";

  static NetworkPolicy policy(Map<String, Object> sets) {
    List<HasMetadata> objects = Chart.parse(Chart.template(Profile.DEFAULT, sets));
    // the control plane's own policies (networkPolicy.*) are NetworkPolicyTest's
    return Chart.named(objects, NetworkPolicy.class, DEV_SERVERS);
  }

  static String ports(NetworkPolicyIngressRule rule) {
    return rule.getPorts().stream()
        .map(p -> p.getPort().getIntVal() + (p.getEndPort() == null ? "" : "-" + p.getEndPort()))
        .toList()
        .toString();
  }

  @Test
  void devServersAcceptTunnelPortsOnlyFromTheApiServiceByDefault() {
    NetworkPolicy p = policy(Map.of());
    assertThat(p.getMetadata().getNamespace()).isEqualTo("odc-reservations");
    assertThat(p.getSpec().getPolicyTypes()).containsExactly("Ingress");
    assertThat(p.getSpec().getPodSelector().getMatchExpressions())
        .singleElement()
        .satisfies(e -> assertThat(e.getKey()).isEqualTo("odc.dev/reservation-id"));
    List<NetworkPolicyIngressRule> rules = p.getSpec().getIngress();
    assertThat(rules).hasSize(2);
    NetworkPolicyIngressRule fromApi = rules.get(0);
    assertThat(fromApi.getFrom())
        .singleElement()
        .satisfies(
            peer -> {
              assertThat(peer.getPodSelector().getMatchLabels())
                  .containsEntry("app.kubernetes.io/component", "api-service");
              assertThat(peer.getNamespaceSelector().getMatchLabels())
                  .containsEntry("kubernetes.io/metadata.name", Chart.NAMESPACE);
            });
    assertThat(ports(fromApi)).isEqualTo("[22, 5678, 6006, 8000-8099, 8888-8899]");
    assertThat(fromApi.getPorts()).extracting(NetworkPolicyPort::getProtocol).containsOnly("TCP");
    // the second rule: dev server pods among themselves, nothing open to the world
    assertThat(rules.get(1).getFrom())
        .singleElement()
        .satisfies(peer -> assertThat(peer.getPodSelector()).isNotNull());
    assertThat(rules).allSatisfy(r -> assertThat(r.getFrom()).isNotEmpty());
  }

  @Test
  void nodePortModeOpensSshdToTheOutsideAndTheSwitchRemovesThePolicy() {
    NetworkPolicy p = policy(Map.of("ssh.mode", "nodePort"));
    NetworkPolicyIngressRule open = p.getSpec().getIngress().get(2);
    assertThat(open.getFrom()).isNullOrEmpty();
    assertThat(ports(open)).isEqualTo("[22]");

    List<HasMetadata> off =
        Chart.parse(Chart.template(Profile.DEFAULT, Map.of("ssh.networkPolicy.enabled", false)));
    assertThat(Chart.ofType(off, NetworkPolicy.class))
        .extracting(n -> n.getMetadata().getName())
        .doesNotContain(DEV_SERVERS);
  }
}
