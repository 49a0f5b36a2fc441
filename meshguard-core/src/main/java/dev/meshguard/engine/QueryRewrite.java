package dev.meshguard.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An allowing ext_authz answer's query changes (`query_parameters_to_set`, `_to_remove`), as
 * Envoy's ext_authz filter makes them (`Http::Utility::QueryParamsMulti`): the query is split at
 * `&` and the first `=` without decoding, a set replaces every value of its name, a removal drops
 * them, and the query is written anew with the names in byte order (each name's values in their
 * order), as `name=value` joined by `&` — or dropped with its `?` when nothing is left. A path
 * whose answer changes nothing keeps its query as it was.
 */
final class QueryRewrite {
  private QueryRewrite() {}

  static String apply(
      String pathWithQuery, List<Map.Entry<String, String>> set, List<String> remove) {
    if (set.isEmpty() && remove.isEmpty()) {
      return pathWithQuery;
    }
    int q = pathWithQuery.indexOf('?');
    String path = q < 0 ? pathWithQuery : pathWithQuery.substring(0, q);
    // the C++ map orders std::string keys by their bytes: UTF-16 order agrees for ASCII, and a
    // normalised path's query is percent-encoded ASCII
    TreeMap<String, List<String>> params = new TreeMap<>();
    if (q >= 0) {
      String query = pathWithQuery.substring(q + 1);
      int start = 0;
      while (start < query.length()) {
        int end = query.indexOf('&', start);
        if (end < 0) {
          end = query.length();
        }
        String param = query.substring(start, end);
        int eq = param.indexOf('=');
        String name = eq < 0 ? param : param.substring(0, eq);
        String value = eq < 0 ? "" : param.substring(eq + 1);
        params.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        start = end + 1;
      }
    }
    for (Map.Entry<String, String> e : set) {
      List<String> one = new ArrayList<>();
      one.add(e.getValue());
      params.put(e.getKey(), one);
    }
    for (String name : remove) {
      params.remove(name);
    }
    StringBuilder out = new StringBuilder(path);
    char delimiter = '?';
    for (Map.Entry<String, List<String>> p : params.entrySet()) {
      for (String value : p.getValue()) {
        out.append(delimiter).append(p.getKey()).append('=').append(value);
        delimiter = '&';
      }
    }
    return out.toString();
  }
}
