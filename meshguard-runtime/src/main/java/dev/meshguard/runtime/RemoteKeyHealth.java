package dev.meshguard.runtime;

import dev.meshguard.jwks.JwksSourceHealth;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Remote key health as the admin endpoints show it: JSON-ready maps, times as ISO-8601 text. */
public final class RemoteKeyHealth {
  private RemoteKeyHealth() {}

  /** What `/healthz/ready` shows per source: enough to see at a glance which issuer is down. */
  static List<Map<String, Object>> summary(List<JwksSourceHealth> all) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (JwksSourceHealth h : all) {
      out.add(summary(h));
    }
    return out;
  }

  /** What `/config_dump` shows per source: everything known. */
  public static List<Map<String, Object>> detail(List<JwksSourceHealth> all) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (JwksSourceHealth h : all) {
      Map<String, Object> m = summary(h);
      m.put("description", h.description());
      m.put("keysFrom", h.keysFrom());
      m.put("fetchCount", h.fetchCount());
      m.put("failureCount", h.failureCount());
      m.put("nextRefresh", text(h.nextRefresh()));
      m.put("keysUsableUntil", text(h.keysUsableUntil()));
      m.put("publishesSecretKeys", h.publishesSecretKeys());
      out.add(m);
    }
    return out;
  }

  private static Map<String, Object> summary(JwksSourceHealth h) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("issuer", h.issuer());
    m.put("uri", h.uri());
    m.put("status", h.status().name());
    m.put("keysLoaded", h.keysLoaded());
    m.put("lastSuccess", text(h.lastSuccess()));
    m.put("lastFailure", text(h.lastFailure()));
    m.put("lastError", h.lastError());
    m.put("waiting", h.waiting());
    return m;
  }

  private static String text(Instant t) {
    return t == null ? null : t.toString();
  }
}
