package dev.meshguard.engine.authn;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

class ClaimHeaderValueTest {
  private static ObjectNode json(String text) throws Exception {
    return (ObjectNode) new ObjectMapper().readTree(text);
  }

  @Test
  void scalarsAreWrittenAsEnvoyDoes() throws Exception {
    ObjectNode p = json("{\"s\":\"v\",\"i\":1562182722,\"f\":1.5,\"b\":true,\"e\":\"\"}");
    assertThat(Authenticator.claimHeaderValue(p, "s")).isEqualTo("v");
    assertThat(Authenticator.claimHeaderValue(p, "i")).isEqualTo("1562182722");
    assertThat(Authenticator.claimHeaderValue(p, "f")).isEqualTo("1.500000");
    assertThat(Authenticator.claimHeaderValue(p, "b")).isEqualTo("true");
    assertThat(Authenticator.claimHeaderValue(p, "e")).isEmpty();
    assertThat(Authenticator.claimHeaderValue(p, "missing")).isNull();
  }

  @Test
  void dotsNestAndStructuresAreBase64Json() throws Exception {
    ObjectNode p = json("{\"nested\":{\"key\":{\"group\":\"valueC\"}},\"list\":[\"a\",\"b\"]}");
    assertThat(Authenticator.claimHeaderValue(p, "nested.key.group")).isEqualTo("valueC");
    assertThat(Authenticator.claimHeaderValue(p, "list")).isEqualTo("WyJhIiwiYiJd");
  }
}
