package dev.meshguard.extauthz;

import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import dev.meshguard.engine.CheckRequest;
import dev.meshguard.engine.CustomAnswer;
import dev.meshguard.engine.CustomCheck;
import dev.meshguard.runtime.custom.CheckHeaders;
import dev.meshguard.runtime.custom.ProviderCall;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.service.auth.v3.AttributeContext;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import io.envoyproxy.envoy.service.auth.v3.DeniedHttpResponse;
import io.envoyproxy.envoy.service.auth.v3.OkHttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Envoy's gRPC ext_authz protocol (`envoy.service.auth.v3.Authorization/Check`) as istiod
 * configures it for an `envoyExtAuthzGrpc` provider: the CheckRequest Envoy's filter builds
 * (`CheckRequestUtils::createHttpCheck`: every request header, no context extensions or metadata),
 * and what the CheckResponse means.
 */
final class GrpcCheckMessages {
  private static final AtomicLong STREAM_IDS = new AtomicLong();

  private GrpcCheckMessages() {}

  static io.envoyproxy.envoy.service.auth.v3.CheckRequest request(
      CustomCheck check, CheckRequest request, ProviderCall.RequestBody body, Instant now) {
    Map<String, String> headers = CheckHeaders.of(check, request);
    AttributeContext.HttpRequest.Builder http =
        AttributeContext.HttpRequest.newBuilder()
            .setId(Long.toString(STREAM_IDS.incrementAndGet()))
            .setMethod(request.method())
            .setPath(check.path())
            .setHost(request.host() == null ? "" : request.host())
            .setScheme(request.scheme())
            .setProtocol("HTTP/1.1");
    String length = headers.get("content-length");
    http.setSize(parseSize(length));
    if (body != null) {
      headers.put(CheckHeaders.PARTIAL_BODY, Boolean.toString(body.partial()));
      if (check.provider().requestBody() != null && check.provider().requestBody().packAsBytes()) {
        http.setRawBody(ByteString.copyFrom(body.bytes()));
      } else {
        http.setBody(new String(body.bytes(), java.nio.charset.StandardCharsets.UTF_8));
      }
    }
    http.putAllHeaders(headers);
    AttributeContext.Builder attributes =
        AttributeContext.newBuilder()
            .setSource(peer(request.sourceIp(), 0, spiffe(request.sourcePrincipal())))
            .setDestination(peer(request.destinationIp(), request.destinationPort(), null))
            .setRequest(
                AttributeContext.Request.newBuilder()
                    .setTime(
                        Timestamp.newBuilder()
                            .setSeconds(now.getEpochSecond())
                            .setNanos(now.getNano()))
                    .setHttp(http));
    return io.envoyproxy.envoy.service.auth.v3.CheckRequest.newBuilder()
        .setAttributes(attributes)
        .build();
  }

  private static long parseSize(String length) {
    if (length == null) {
      return -1;
    }
    try {
      return Long.parseLong(length.strip());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static String spiffe(String principal) {
    return principal == null ? null : "spiffe://" + principal;
  }

  private static AttributeContext.Peer peer(String ip, int port, String principal) {
    AttributeContext.Peer.Builder peer = AttributeContext.Peer.newBuilder();
    if (ip != null) {
      peer.setAddress(
          Address.newBuilder()
              .setSocketAddress(
                  SocketAddress.newBuilder().setAddress(ip).setPortValue(Math.max(port, 0))));
    }
    if (principal != null) {
      peer.setPrincipal(principal);
    }
    return peer.build();
  }

  /**
   * Status OK allows: `ok_response.headers` go upstream (set, or appended when the option says so),
   * `headers_to_remove` are dropped, `query_parameters_to_set` / `_to_remove` change the query,
   * `response_headers_to_add` reach the client. Any other status denies with `denied_response`'s
   * status (403 when unset), body and headers.
   */
  static CustomAnswer answer(CheckResponse response) {
    if (response.getStatus().getCode() == io.grpc.Status.Code.OK.value()) {
      OkHttpResponse ok = response.getOkResponse();
      List<Map.Entry<String, String>> set = new ArrayList<>();
      List<Map.Entry<String, String>> append = new ArrayList<>();
      java.util.Set<String> named = new java.util.HashSet<>();
      for (HeaderValueOption h : ok.getHeadersList()) {
        Map.Entry<String, String> header = entry(h);
        // a second value of a name this answer already sets adds to it rather than replacing it
        if (appends(h) || !named.add(header.getKey())) {
          append.add(header);
        } else {
          set.add(header);
        }
      }
      List<String> remove =
          ok.getHeadersToRemoveList().stream().map(n -> n.toLowerCase(Locale.ROOT)).toList();
      List<Map.Entry<String, String>> client =
          ok.getResponseHeadersToAddList().stream().map(GrpcCheckMessages::entry).toList();
      List<Map.Entry<String, String>> querySet =
          ok.getQueryParametersToSetList().stream()
              .map(p -> Map.entry(p.getKey(), p.getValue()))
              .toList();
      return new CustomAnswer(
          true,
          200,
          "",
          client,
          set,
          append,
          remove,
          "the provider allowed",
          querySet,
          ok.getQueryParametersToRemoveList());
    }
    DeniedHttpResponse denied = response.getDeniedResponse();
    int status = denied.getStatus().getCodeValue();
    if (status == 0) {
      status = 403;
    }
    List<Map.Entry<String, String>> headers =
        denied.getHeadersList().stream().map(GrpcCheckMessages::entry).toList();
    return CustomAnswer.deny(
        status,
        denied.getBody(),
        headers,
        "the provider denied (grpc status " + response.getStatus().getCode() + ")");
  }

  /**
   * `append: true` appends; otherwise the header is set (`append` defaults to false in ext_authz
   * answers, and the default `append_action` cannot be told apart from an unset one).
   */
  private static boolean appends(HeaderValueOption h) {
    return h.hasAppend() && h.getAppend().getValue();
  }

  private static Map.Entry<String, String> entry(HeaderValueOption h) {
    String value =
        h.getHeader().getRawValue().isEmpty()
            ? h.getHeader().getValue()
            : h.getHeader().getRawValue().toStringUtf8();
    return Map.entry(h.getHeader().getKey().toLowerCase(Locale.ROOT), value);
  }
}
