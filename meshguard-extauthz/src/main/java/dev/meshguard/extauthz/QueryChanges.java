package dev.meshguard.extauthz;

import dev.meshguard.engine.Decision;
import io.envoyproxy.envoy.config.core.v3.QueryParameter;
import io.envoyproxy.envoy.service.auth.v3.OkHttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The query changes a CUSTOM provider made (the engine's upstream path against the path Envoy asked
 * about), passed on to the Envoy in front as `query_parameters_to_set` / `_to_remove`, so that it
 * writes the same query the engine decided on. A provider's set gives one value per name and a
 * removal drops the name, so the difference is exactly those; Envoy writes the query anew in name
 * order, as the engine did.
 */
final class QueryChanges {
  private QueryChanges() {}

  static void addTo(OkHttpResponse.Builder ok, String requestPath, Decision.UpstreamRewrite up) {
    if (requestPath == null || up == null) {
      return;
    }
    String before = query(requestPath);
    String after = query(up.path());
    if (Objects.equals(before, after)) {
      return;
    }
    Map<String, List<String>> was = params(before);
    Map<String, List<String>> is = params(after);
    boolean changed = false;
    for (Map.Entry<String, List<String>> p : is.entrySet()) {
      if (!p.getValue().equals(was.get(p.getKey())) && p.getValue().size() == 1) {
        ok.addQueryParametersToSet(set(p.getKey(), p.getValue().get(0)));
        changed = true;
      }
    }
    for (String name : was.keySet()) {
      if (!is.containsKey(name)) {
        ok.addQueryParametersToRemove(name);
        changed = true;
      }
    }
    if (!changed) {
      // the provider set a value the query had: Envoy still writes the query anew (in name order)
      is.entrySet().stream()
          .filter(p -> p.getValue().size() == 1)
          .findFirst()
          .ifPresent(p -> ok.addQueryParametersToSet(set(p.getKey(), p.getValue().get(0))));
    }
  }

  private static QueryParameter set(String name, String value) {
    return QueryParameter.newBuilder().setKey(name).setValue(value).build();
  }

  private static String query(String path) {
    int q = path.indexOf('?');
    return q < 0 ? null : path.substring(q + 1);
  }

  /** Split at `&` and the first `=`, not decoded: as Envoy's `QueryParamsMulti` reads a query. */
  private static Map<String, List<String>> params(String query) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    if (query == null) {
      return out;
    }
    for (String param : query.split("&", -1)) {
      if (param.isEmpty()) {
        continue;
      }
      int eq = param.indexOf('=');
      String name = eq < 0 ? param : param.substring(0, eq);
      out.computeIfAbsent(name, k -> new ArrayList<>()).add(eq < 0 ? "" : param.substring(eq + 1));
    }
    return out;
  }
}
