package dev.meshguard.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** An ext_authz answer's query changes, as Envoy's `QueryParamsMulti` writes the new `:path`. */
class QueryRewriteTest {
  @Test
  void noChangeKeepsThePathByteForByte() {
    assertThat(QueryRewrite.apply("/a?z=1&a&b=%41", List.of(), List.of()))
        .isEqualTo("/a?z=1&a&b=%41");
  }

  @Test
  void aChangeWritesTheQueryAnewInNameOrderWithoutDecoding() {
    assertThat(
            QueryRewrite.apply("/a?z=1&b=%41&a&z=2", List.of(Map.entry("m", "x%20y")), List.of()))
        .isEqualTo("/a?a=&b=%41&m=x%20y&z=1&z=2");
  }

  @Test
  void aSetReplacesEveryValueOfItsNameAndARemovalDropsThemAll() {
    assertThat(
            QueryRewrite.apply(
                "/a?tag=1&tag=2&token=t&keep=k", List.of(Map.entry("tag", "3")), List.of("token")))
        .isEqualTo("/a?keep=k&tag=3");
  }

  @Test
  void removingEveryParameterDropsTheQuestionMark() {
    assertThat(QueryRewrite.apply("/a?token=t", List.of(), List.of("token"))).isEqualTo("/a");
    assertThat(QueryRewrite.apply("/a", List.of(Map.entry("added", "1")), List.of()))
        .isEqualTo("/a?added=1");
  }
}
