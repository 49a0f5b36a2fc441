package dev.meshguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** `meshguard demo` prints curl commands that really answer what it says they answer. */
class DemoIT {
  private static final Pattern CURL =
      Pattern.compile("^\\s*curl -i (?:-H \"([^\"]+)\" )?(http://\\S+)$");
  private static final Pattern EXPECT =
      Pattern.compile("# expect: (\\d{3})(?: (.*?))?(?: \\(.*)?$");

  @Test
  void everyPrintedCommandAnswersAsPrinted() throws Exception {
    try (MeshguardProcess demo =
        MeshguardProcess.start("demo", "--listen", "127.0.0.1:0", "--access-log", "off")) {
      int port = demo.listenAddress().getPort();
      demo.awaitStdout(l -> l.contains("Ctrl+C"));
      List<String> lines = new ArrayList<>(demo.stdout);
      HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      int checked = 0;
      for (int i = 0; i < lines.size(); i++) {
        Matcher curl = CURL.matcher(lines.get(i));
        if (!curl.matches()) {
          continue;
        }
        Matcher expect = EXPECT.matcher(lines.get(i + 1));
        assertThat(expect.find()).as(lines.get(i + 1)).isTrue();
        String url = curl.group(2);
        assertThat(url).startsWith("http://127.0.0.1:" + port + "/");
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(url));
        if (curl.group(1) != null) {
          String[] h = curl.group(1).split(": ", 2);
          r.header(h[0], h[1]);
        }
        HttpResponse<String> response =
            client.send(r.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(url).isEqualTo(Integer.parseInt(expect.group(1)));
        String body = expect.group(2);
        if (body != null && response.statusCode() != 200) {
          assertThat(response.body()).isEqualTo(body);
        }
        checked++;
      }
      assertThat(checked).isEqualTo(4);
      assertThat(demo.stderr)
          .anySatisfy(
              l ->
                  assertThat(l)
                      .startsWith(
                          "meshguard demo: crypto provider: AmazonCorrettoCryptoProvider 2.5.0"));
      assertThat(demo.terminate()).isZero();
    }
  }
}
