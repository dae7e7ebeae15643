package dev.odc.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.LintResult;
import dev.odc.deploy.Chart.Profile;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ChartRenderTest {

  @ParameterizedTest
  @EnumSource(Profile.class)
  void lintsCleanly(Profile profile, @TempDir Path scratch) {
    LintResult result = Chart.lint(profile, scratch);

    assertThat(result.isFailed()).as("lint of %s: %s", profile, result.getMessages()).isFalse();
  }

  @ParameterizedTest
  @EnumSource(Profile.class)
  void everyManifestParsesIntoAModelObject(Profile profile) {
    String rendered = Chart.template(profile);
    List<HasMetadata> objects = Chart.parse(rendered);

    assertThat(objects).isNotEmpty();
    objects.forEach(o -> System.err.println(o.getClass().getName() + " " + o.getKind() + " " + o.getMetadata().getName()));
  }
}
