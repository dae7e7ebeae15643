package dev.odc.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.odc.testing.sim.NodePool;
import java.util.List;
import org.junit.jupiter.api.Test;

class NodePoolsTest {
  @Test
  void defaultIsTwoH100NodesOfEightAndFourL4NodesOfFour() {
    List<NodePool> pools = NodePools.parse(NodePools.DEFAULT);
    assertThat(pools)
        .extracting(p -> p.gpuType() + ":" + p.count() + "x" + p.gpusPerNode())
        .containsExactly("h100:2x8", "l4:4x4");
    assertThat(NodePools.describe(pools)).isEqualTo("2 × 8 h100, 4 × 4 l4");
  }

  @Test
  void acceptsSpacesAndUpperCase() {
    assertThat(NodePools.parse(" A10G=1x1 , h200=3x8"))
        .extracting(NodePool::gpuType)
        .containsExactly("a10g", "h200");
  }

  @Test
  void badEntriesAreNamedWithTheExpectedForm() {
    assertThatThrownBy(() -> NodePools.parse("h100=2x8,l4:4x4"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'l4:4x4'")
        .hasMessageContaining("TYPE=NODESxGPUS");
    assertThatThrownBy(() -> NodePools.parse("h100=0x8"))
        .hasMessageContaining("between 1 and 100 nodes");
    assertThatThrownBy(() -> NodePools.parse("h100=1x0"))
        .hasMessageContaining("between 1 and 16 GPUs");
    assertThatThrownBy(() -> NodePools.parse("h100=1x8,h100=2x8")).hasMessageContaining("twice");
    assertThatThrownBy(() -> NodePools.parse(" ")).hasMessageContaining("empty");
  }
}
