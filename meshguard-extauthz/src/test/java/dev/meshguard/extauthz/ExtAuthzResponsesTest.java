package dev.meshguard.extauthz;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshguard.engine.Decision;
import dev.meshguard.jwt.JwtStatus;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption.HeaderAppendAction;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import io.grpc.Status;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExtAuthzResponsesTest {

  private static Decision denied(int status, String body, List<Map.Entry<String, String>> hs) {
    return new Decision(
        status,
        false,
        Decision.Outcome.DENIED_AUTHENTICATION,
        body,
        null,
        null,
        JwtStatus.JWT_MISSED,
        body,
        hs,
        null,
        List.of());
  }

  @Test
  void allowedCarriesTheHeaderChangesSoThatEnvoysOrderKeepsThem() {
    Decision allowed =
        new Decision(
            200,
            true,
            Decision.Outcome.ALLOWED,
            "allowed",
            "default/allow",
            "iss/sub",
            JwtStatus.OK,
            null,
            List.of(),
            new Decision.UpstreamRewrite(
                "/b",
                List.of("authorization", "x-jwt-foo"),
                List.of(Map.entry("x-jwt-foo", "bar"))),
            List.of());
    CheckResponse r = ExtAuthzResponses.of(allowed);
    assertThat(r.getStatus().getCode()).isEqualTo(Status.Code.OK.value());
    assertThat(r.hasDeniedResponse()).isFalse();
    // Envoy sets headers before it removes: a header that is replaced must not be removed too
    assertThat(r.getOkResponse().getHeadersToRemoveList()).containsExactly("authorization");
    HeaderValueOption set = r.getOkResponse().getHeaders(0);
    assertThat(set.getHeader().getKey()).isEqualTo("x-jwt-foo");
    assertThat(set.getHeader().getValue()).isEqualTo("bar");
    assertThat(set.getAppendAction()).isEqualTo(HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD);
    assertThat(set.hasAppend()).isFalse();
    var facts = r.getDynamicMetadata().getFieldsOrThrow("meshguard").getStructValue();
    assertThat(facts.getFieldsOrThrow("outcome").getStringValue()).isEqualTo("ALLOWED");
    assertThat(facts.getFieldsOrThrow("policy").getStringValue()).isEqualTo("default/allow");
  }

  @Test
  void unauthenticatedCarriesStatusBodyAndChallenge() {
    CheckResponse r =
        ExtAuthzResponses.of(
            denied(
                401,
                "Jwt verification fails",
                List.of(Map.entry("www-authenticate", "Bearer realm=\"http://h/\""))));
    assertThat(r.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED.value());
    assertThat(r.getDeniedResponse().getStatus().getCodeValue()).isEqualTo(401);
    assertThat(r.getDeniedResponse().getBody()).isEqualTo("Jwt verification fails");
    assertThat(r.getDeniedResponse().getHeaders(0).getHeader().getKey())
        .isEqualTo("www-authenticate");
    assertThat(r.hasOkResponse()).isFalse();
  }

  @Test
  void forbiddenAndBadRequest() {
    CheckResponse forbidden = ExtAuthzResponses.of(denied(403, "RBAC: access denied", List.of()));
    assertThat(forbidden.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED.value());
    assertThat(forbidden.getDeniedResponse().getStatus().getCodeValue()).isEqualTo(403);
    CheckResponse bad = ExtAuthzResponses.of(denied(400, "Bad Request", List.of()));
    assertThat(bad.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT.value());
    assertThat(bad.getDeniedResponse().getStatus().getCodeValue()).isEqualTo(400);
  }

  @Test
  void internalErrorsDeny() {
    CheckResponse r = ExtAuthzResponses.internalError("boom");
    assertThat(r.getStatus().getCode()).isNotEqualTo(Status.Code.OK.value());
    assertThat(r.getDeniedResponse().getStatus().getCodeValue()).isEqualTo(403);
    assertThat(r.getDeniedResponse().getBody()).isEqualTo("RBAC: access denied");
  }
}
