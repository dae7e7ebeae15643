package dev.odc.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odc.deploy.Chart.Profile;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleRef;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The shape of the chart's RBAC: bindings, accounts, no wildcards. Which verbs each account gets is
 * checked against the requests the services really send, in {@link RecordedRbacIT}.
 */
class RbacTest {

  private static final String RESERVATIONS_NS = "odc-reservations";

  /** The chart's service accounts (without the release prefix). */
  static final Set<String> SERVICE_ACCOUNTS =
      Set.of("reservation-processor", "cronjobs", "api-service", "migrate");

  /** One permission: "scope apiGroup/resource verb", e.g. "reservations /pods create". */
  record Permission(String scope, String apiGroup, String resource, String verb)
      implements Comparable<Permission> {
    @Override
    public int compareTo(Permission o) {
      return toString().compareTo(o.toString());
    }

    @Override
    public String toString() {
      return scope + " " + apiGroup + "/" + resource + " " + verb;
    }
  }

  @ParameterizedTest
  @EnumSource(Profile.class)
  void everyBindingNamesAKnownServiceAccountAndAnExistingRole(Profile profile) {
    List<HasMetadata> objects = Chart.parse(Chart.template(profile));
    Set<String> accounts =
        Chart.ofType(objects, ServiceAccount.class).stream()
            .map(sa -> sa.getMetadata().getName())
            .collect(Collectors.toSet());
    Set<String> expectedAccounts =
        SERVICE_ACCOUNTS.stream().map(k -> Chart.RELEASE + "-" + k).collect(Collectors.toSet());

    assertThat(accounts).isEqualTo(expectedAccounts);
    for (RoleBinding binding : Chart.ofType(objects, RoleBinding.class)) {
      assertThat(binding.getSubjects()).extracting(Subject::getName).allMatch(accounts::contains);
      assertThat(binding.getSubjects())
          .extracting(Subject::getNamespace)
          .containsOnly(Chart.NAMESPACE);
      Role role = Chart.named(objects, Role.class, binding.getRoleRef().getName());
      assertThat(role.getMetadata().getNamespace())
          .isEqualTo(binding.getMetadata().getNamespace())
          .isEqualTo(RESERVATIONS_NS);
    }
    for (ClusterRoleBinding binding : Chart.ofType(objects, ClusterRoleBinding.class)) {
      assertThat(binding.getSubjects()).extracting(Subject::getName).allMatch(accounts::contains);
      assertThat(binding.getRoleRef().getKind()).isEqualTo("ClusterRole");
      Chart.named(objects, ClusterRole.class, binding.getRoleRef().getName());
    }
  }

  @Test
  void noRuleUsesWildcardsOrResourceNamesTheCodeDoesNotKnow() {
    List<HasMetadata> objects = Chart.parse(Chart.template(Profile.DEFAULT));
    List<PolicyRule> rules =
        java.util.stream.Stream.concat(
                Chart.ofType(objects, Role.class).stream().flatMap(r -> r.getRules().stream()),
                Chart.ofType(objects, ClusterRole.class).stream()
                    .flatMap(r -> r.getRules().stream()))
            .toList();

    assertThat(rules).isNotEmpty();
    for (PolicyRule rule : rules) {
      assertThat(rule.getVerbs()).doesNotContain("*", "escalate", "bind", "impersonate");
      assertThat(rule.getResources()).doesNotContain("*", "secrets");
      assertThat(rule.getApiGroups()).doesNotContain("*");
    }
  }

  /** Resolves every binding of the service account into individual permissions. */
  static Set<Permission> granted(List<HasMetadata> objects, String serviceAccount) {
    Set<Permission> permissions = new TreeSet<>();
    for (RoleBinding binding : Chart.ofType(objects, RoleBinding.class)) {
      if (binds(binding.getSubjects(), serviceAccount)) {
        String scope = scopeOf(binding.getMetadata().getNamespace());
        RoleRef ref = binding.getRoleRef();
        List<PolicyRule> rules =
            "ClusterRole".equals(ref.getKind())
                ? Chart.named(objects, ClusterRole.class, ref.getName()).getRules()
                : Chart.named(objects, Role.class, ref.getName()).getRules();
        addAll(permissions, scope, rules);
      }
    }
    for (ClusterRoleBinding binding : Chart.ofType(objects, ClusterRoleBinding.class)) {
      if (binds(binding.getSubjects(), serviceAccount)) {
        addAll(
            permissions,
            "cluster",
            Chart.named(objects, ClusterRole.class, binding.getRoleRef().getName()).getRules());
      }
    }
    return permissions;
  }

  private static String scopeOf(String namespace) {
    if (!RESERVATIONS_NS.equals(namespace)) {
      throw new AssertionError("RoleBinding outside the reservations namespace: " + namespace);
    }
    return "reservations";
  }

  private static boolean binds(List<Subject> subjects, String serviceAccount) {
    return subjects.stream()
        .anyMatch(s -> "ServiceAccount".equals(s.getKind()) && serviceAccount.equals(s.getName()));
  }

  private static void addAll(Set<Permission> permissions, String scope, List<PolicyRule> rules) {
    for (PolicyRule rule : rules) {
      for (String group : rule.getApiGroups()) {
        for (String resource : rule.getResources()) {
          for (String verb : rule.getVerbs()) {
            permissions.add(new Permission(scope, group, resource, verb));
          }
        }
      }
    }
  }
}
