package dev.meshguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A running process's admin listener (`--admin`), read as an operator or a scraper reads it. */
final class AdminEndpoint {
  private static final HttpClient CLIENT =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private final InetSocketAddress address;

  AdminEndpoint(InetSocketAddress address) {
    this.address = address;
  }

  private String get(String path, int status) throws Exception {
    HttpResponse<String> r =
        CLIENT.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + address.getPort() + path))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(status);
    return r.body();
  }

  /** `/healthz/ready` of a live process. */
  JsonNode ready() throws Exception {
    JsonNode j = EchoUpstream.JSON.readTree(get("/healthz/ready", 200));
    assertThat(j.get("status").asText()).isEqualTo("LIVE");
    return j;
  }

  JsonNode configDump() throws Exception {
    return EchoUpstream.JSON.readTree(get("/config_dump", 200));
  }

  String prometheus() throws Exception {
    return get("/stats/prometheus", 200);
  }

  /** The value of one key source's Prometheus series in {@code text}; fails when it is absent. */
  static double jwksMetric(String text, String name, String issuer, String uri) {
    Matcher m =
        Pattern.compile(
                "^"
                    + Pattern.quote(name + "{issuer=\"" + issuer + "\",uri=\"" + uri + "\"}")
                    + " (\\S+)$",
                Pattern.MULTILINE)
            .matcher(text);
    assertThat(m.find()).as(name + " for " + issuer + " in\n" + text).isTrue();
    return Double.parseDouble(m.group(1));
  }
}
