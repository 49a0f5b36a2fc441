package dev.meshguard.extauthz;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshguard.engine.Decision;
import io.envoyproxy.envoy.config.core.v3.QueryParameter;
import io.envoyproxy.envoy.service.auth.v3.OkHttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A CUSTOM provider's query changes, passed on to the Envoy in front of `extauthz`. */
class QueryChangesTest {
  private static OkHttpResponse changes(String asked, String decided) {
    OkHttpResponse.Builder ok = OkHttpResponse.newBuilder();
    QueryChanges.addTo(ok, asked, new Decision.UpstreamRewrite(decided, List.of(), List.of()));
    return ok.build();
  }

  private static QueryParameter param(String k, String v) {
    return QueryParameter.newBuilder().setKey(k).setValue(v).build();
  }

  @Test
  void anUnchangedQuerySaysNothing() {
    OkHttpResponse ok = changes("/a?z=1&a=2", "/a?z=1&a=2");
    assertThat(ok.getQueryParametersToSetList()).isEmpty();
    assertThat(ok.getQueryParametersToRemoveList()).isEmpty();
  }

  @Test
  void setsAndRemovalsAreWhatDiffers() {
    OkHttpResponse ok = changes("/a?token=t&tag=1&tag=2&b=2", "/a?b=2&tag=1&tag=2&tenant=t1");
    assertThat(ok.getQueryParametersToSetList()).containsExactly(param("tenant", "t1"));
    assertThat(ok.getQueryParametersToRemoveList()).containsExactly("token");
    OkHttpResponse replaced = changes("/a?tag=1&tag=2", "/a?tag=3");
    assertThat(replaced.getQueryParametersToSetList()).containsExactly(param("tag", "3"));
  }

  @Test
  void onlyReorderedStillMakesEnvoyWriteTheQueryAnew() {
    OkHttpResponse ok = changes("/a?z=1&a=2", "/a?a=2&z=1");
    assertThat(ok.getQueryParametersToSetList()).containsExactly(param("a", "2"));
  }

  @Test
  void everythingRemovedRemovesEveryName() {
    OkHttpResponse ok = changes("/a?token=t&x=1", "/a");
    assertThat(ok.getQueryParametersToRemoveList()).containsExactlyInAnyOrder("token", "x");
  }
}
