package dev.meshguard.extauthz;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.meshguard.engine.Decision;
import dev.meshguard.engine.Engine;
import dev.meshguard.engine.authz.ShadowResult;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import io.envoyproxy.envoy.service.auth.v3.DeniedHttpResponse;
import io.envoyproxy.envoy.service.auth.v3.OkHttpResponse;
import io.envoyproxy.envoy.type.v3.HttpStatus;
import io.envoyproxy.envoy.type.v3.StatusCode;
import io.grpc.Status;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a {@link Decision} into Envoy's ext_authz `CheckResponse`.
 *
 * <p>Envoy allows a request only when `status.code` is OK; any other code denies it with the HTTP
 * status, body and headers of `denied_response` (403 when absent). The gRPC code itself only shows
 * in Envoy's logs and stats, so it follows the HTTP status: UNAUTHENTICATED for 401,
 * INVALID_ARGUMENT for 400, PERMISSION_DENIED otherwise.
 *
 * <p>When allowed, `ok_response` carries the header changes the engine made (token headers dropped,
 * spoofed output headers replaced, claim and payload headers added). Envoy applies `headers` before
 * `headers_to_remove`, so a header that is both dropped and set is only set, with
 * OVERWRITE_IF_EXISTS_OR_ADD, which replaces every value the client sent. ext_authz cannot rewrite
 * the path: Envoy forwards the path as its own connection manager normalised it (Istio's
 * `pathNormalization` configures both), which is the path the engine decided on.
 */
public final class ExtAuthzResponses {
  /** Key of the decision facts in `dynamic_metadata` (Envoy files them under the filter's name). */
  public static final String METADATA_KEY = "meshguard";

  private ExtAuthzResponses() {}

  public static CheckResponse of(Decision decision) {
    return of(decision, List.of());
  }

  /**
   * @param claims claims of the verified token to copy into `dynamic_metadata.meshguard.claims`
   *     when allowed (as Envoy's jwt_authn `payload_in_metadata` exposes the payload): names of
   *     top-level claims, or `*` for the whole payload; absent claims are left out
   */
  public static CheckResponse of(Decision decision, List<String> claims) {
    return of(decision, claims, null);
  }

  /**
   * @param requestPath the `:path` Envoy asked about: a CUSTOM provider's query changes are passed
   *     on against it ({@link QueryChanges}); null for none
   */
  public static CheckResponse of(Decision decision, List<String> claims, String requestPath) {
    CheckResponse.Builder response = CheckResponse.newBuilder();
    Struct metadata = metadata(decision);
    if (decision.allowed() && !claims.isEmpty() && decision.claims() != null) {
      Struct selected = ClaimsMetadata.select(decision.claims().json(), claims);
      Struct.Builder facts =
          metadata.getFieldsOrThrow(METADATA_KEY).getStructValue().toBuilder()
              .putFields("claims", Value.newBuilder().setStructValue(selected).build());
      metadata =
          Struct.newBuilder()
              .putFields(METADATA_KEY, Value.newBuilder().setStructValue(facts).build())
              .build();
    }
    response.setDynamicMetadata(metadata);
    if (decision.allowed()) {
      response.setStatus(com.google.rpc.Status.newBuilder().setCode(Status.Code.OK.value()));
      OkHttpResponse.Builder ok = ok(decision.upstream()).toBuilder();
      QueryChanges.addTo(ok, requestPath, decision.upstream());
      // a CUSTOM provider's headers for the client (the engine asked it before deciding)
      for (Map.Entry<String, String> h : decision.responseHeaders()) {
        ok.addResponseHeadersToAdd(
            HeaderValueOption.newBuilder()
                .setHeader(HeaderValue.newBuilder().setKey(h.getKey()).setValue(h.getValue()))
                .setAppendAction(HeaderValueOption.HeaderAppendAction.APPEND_IF_EXISTS_OR_ADD));
      }
      response.setOkResponse(ok);
      return response.build();
    }
    response.setStatus(
        com.google.rpc.Status.newBuilder()
            .setCode(grpcCode(decision.status()).value())
            .setMessage(decision.reason() == null ? "" : decision.reason()));
    DeniedHttpResponse.Builder denied =
        DeniedHttpResponse.newBuilder()
            .setStatus(HttpStatus.newBuilder().setCode(httpStatus(decision.status())))
            .setBody(decision.body() == null ? "" : decision.body());
    for (Map.Entry<String, String> h : decision.responseHeaders()) {
      denied.addHeaders(
          HeaderValueOption.newBuilder()
              .setHeader(HeaderValue.newBuilder().setKey(h.getKey()).setValue(h.getValue()))
              .setAppendAction(HeaderValueOption.HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD));
    }
    response.setDeniedResponse(denied);
    return response.build();
  }

  /** Never fail open: whatever went wrong, the request is denied as RBAC denies. */
  public static CheckResponse internalError(String why) {
    return CheckResponse.newBuilder()
        .setStatus(
            com.google.rpc.Status.newBuilder()
                .setCode(Status.Code.PERMISSION_DENIED.value())
                .setMessage("internal error: " + why))
        .setDeniedResponse(
            DeniedHttpResponse.newBuilder()
                .setStatus(HttpStatus.newBuilder().setCode(StatusCode.Forbidden))
                .setBody(Engine.RBAC_DENIED_BODY))
        .build();
  }

  private static OkHttpResponse ok(Decision.UpstreamRewrite upstream) {
    OkHttpResponse.Builder ok = OkHttpResponse.newBuilder();
    if (upstream == null) {
      return ok.build();
    }
    Set<String> set = new LinkedHashSet<>();
    for (Map.Entry<String, String> h : upstream.addHeaders()) {
      boolean first = set.add(h.getKey());
      ok.addHeaders(
          HeaderValueOption.newBuilder()
              .setHeader(HeaderValue.newBuilder().setKey(h.getKey()).setValue(h.getValue()))
              .setAppendAction(
                  first
                      ? HeaderValueOption.HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD
                      : HeaderValueOption.HeaderAppendAction.APPEND_IF_EXISTS_OR_ADD));
    }
    for (String name : upstream.removeHeaders()) {
      if (!set.contains(name)) {
        ok.addHeadersToRemove(name);
      }
    }
    return ok.build();
  }

  static Status.Code grpcCode(int httpStatus) {
    return switch (httpStatus) {
      case 401 -> Status.Code.UNAUTHENTICATED;
      case 400 -> Status.Code.INVALID_ARGUMENT;
      default -> Status.Code.PERMISSION_DENIED;
    };
  }

  private static StatusCode httpStatus(int status) {
    StatusCode code = StatusCode.forNumber(status);
    return code == null || code == StatusCode.Empty ? StatusCode.Forbidden : code;
  }

  private static Struct metadata(Decision decision) {
    Struct.Builder facts = Struct.newBuilder();
    facts.putFields("outcome", string(decision.outcome().name()));
    facts.putFields("status", Value.newBuilder().setNumberValue(decision.status()).build());
    put(facts, "reason", decision.reason());
    put(facts, "policy", decision.policy());
    put(facts, "principal", decision.principal());
    put(facts, "jwt", decision.jwtStatus().message());
    if (decision.shadow() != null) {
      // Envoy's RBAC shadow (dry-run) metadata keys
      put(facts, ShadowResult.EFFECTIVE_POLICY_ID, decision.shadow().effectivePolicyId());
      put(facts, ShadowResult.ENGINE_RESULT, decision.shadow().engineResult());
    }
    return Struct.newBuilder()
        .putFields(METADATA_KEY, Value.newBuilder().setStructValue(facts).build())
        .build();
  }

  private static void put(Struct.Builder s, String key, String value) {
    if (value != null) {
      s.putFields(key, string(value));
    }
  }

  private static Value string(String s) {
    return Value.newBuilder().setStringValue(s).build();
  }
}
