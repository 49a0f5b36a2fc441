package dev.meshguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `meshguard validate` in this JVM: exit codes (0 clean, 1 findings, 2 unreadable or usage),
 * findings on standard output as `file:doc: field: message`, notices and the summary on standard
 * error. The jar runs the same code through `bin/meshguard` in {@link CheckAndValidateIT}.
 */
class ValidateCommandTest {
  @TempDir Path dir;

  private record Run(int exit, List<String> out, List<String> err) {}

  private static Run validate(Object... paths) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    String[] args = new String[paths.length + 1];
    args[0] = "validate";
    for (int i = 0; i < paths.length; i++) {
      args[i + 1] = paths[i].toString();
    }
    int exit;
    try (PrintWriter o = new PrintWriter(out);
        PrintWriter e = new PrintWriter(err)) {
      exit = Main.run(o, e, args);
    }
    return new Run(exit, out.toString().lines().toList(), err.toString().lines().toList());
  }

  private Path write(String name, String text) throws IOException {
    Path p = dir.resolve(name);
    Files.createDirectories(p.getParent());
    Files.writeString(p, text);
    return p;
  }

  static final String CLEAN =
      """
      apiVersion: security.istio.io/v1
      kind: AuthorizationPolicy
      metadata:
        name: allow-get
        namespace: default
      spec:
        selector:
          matchLabels:
            app: httpbin
        action: ALLOW
        rules:
        - to:
          - operation:
              methods: ["GET"]
              ports: ["8080"]
      """;

  /** A skipped kind (document 0), a reading error and a warning (1), a compile error (2). */
  static final String BROKEN =
      """
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: httpbin
      ---
      apiVersion: security.istio.io/v1
      kind: AuthorizationPolicy
      metadata:
        name: broken
        namespace: default
      spec:
        action: DENY
        rules:
        - to:
          - operation:
              paths: ["/admin"]
              bogusField: 1
      ---
      apiVersion: security.istio.io/v1
      kind: RequestAuthentication
      metadata:
        name: jwt
        namespace: default
      spec:
        jwtRules:
        - issuer: https://issuer.example
          jwks: 'not json'
      """;

  @Test
  void cleanConfigurationExitsZeroAndPrintsNoFinding() throws IOException {
    Run r = validate(write("clean.yaml", CLEAN));
    assertThat(r.exit()).isZero();
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).containsExactly("meshguard validate: no findings");
  }

  @Test
  void findingsNameTheFileTheDocumentAndTheField() throws IOException {
    Path file = write("broken.yaml", BROKEN);
    Run r = validate(file);
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out())
        .containsExactlyInAnyOrder(
            file + ":1: spec.rules[0].to[0].operation.bogusField: unknown field `bogusField`",
            file
                + ":1: warning: spec.rules[0]: configured AuthorizationPolicy will deny all"
                + " traffic to TCP ports under its scope due to the use of only HTTP attributes"
                + " in a DENY rule; it is recommended to explicitly specify the port",
            file
                + ":2: warning: spec.jwtRules: lint: no AuthorizationPolicy in this configuration"
                + " requires a token (`requestPrincipals`, `notRequestPrincipals` or a"
                + " `request.auth.*` condition): requests without a token are allowed",
            file + ":2: spec.jwtRules[0].jwks: invalid jwks: Jwks is an invalid JSON");
    assertThat(r.err())
        .containsExactly(
            file + ":0: skipped Deployment default/httpbin",
            "meshguard validate: 2 error(s), 2 warning(s)");
  }

  @Test
  void warningsAloneAreFindings() throws IOException {
    Path file =
        write(
            "warn.yaml",
            """
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata:
              name: deny-admin
              namespace: default
            spec:
              action: DENY
              rules:
              - to:
                - operation:
                    paths: ["/admin"]
            """);
    Run r = validate(file);
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out())
        .singleElement()
        .asString()
        .startsWith(file + ":0: warning: spec.rules[0]: ");
    assertThat(r.err()).containsExactly("meshguard validate: 0 error(s), 1 warning(s)");
  }

  @Test
  void invalidYamlIsAFindingWithItsLineAndColumn() throws IOException {
    Path file = write("syntax.yaml", "kind: [unclosed\n");
    Run r = validate(file);
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out())
        .singleElement()
        .asString()
        .startsWith(file + ":0: invalid yaml at line 2, column 1: ");
  }

  @Test
  void aDirectoryIsReadFileByFileAndSeveralPathsTogether() throws IOException {
    Path policies = dir.resolve("policies");
    write("policies/a-clean.yaml", CLEAN);
    Path broken = write("policies/b-broken.yaml", BROKEN);
    write("policies/notes.txt", "not configuration: ignored");
    Path extra = write("extra.yaml", "kind: [unclosed\n");
    Run r = validate(policies, extra);
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out()).hasSize(5);
    assertThat(r.out().stream().filter(l -> l.startsWith(broken + ":"))).hasSize(4);
    assertThat(r.out().stream().filter(l -> l.startsWith(extra + ":0: invalid yaml"))).hasSize(1);
    assertThat(r.err()).endsWith("meshguard validate: 3 error(s), 2 warning(s)");
  }

  @Test
  void anUnreadablePathExitsTwoBeforeReadingAnything() throws IOException {
    Path broken = write("broken.yaml", BROKEN);
    Path missing = dir.resolve("missing.yaml");
    Run r = validate(broken, missing);
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).containsExactly("meshguard validate: " + missing + ": cannot read");
  }

  @Test
  void noPathIsAUsageError() {
    Run r = validate();
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.out()).isEmpty();
    assertThat(String.join("\n", r.err())).contains("PATH").contains("meshguard validate --help");
  }

  /** validate is offline: it never fetches a `jwksUri`, it only lints where it points. */
  @Test
  void neverFetchesRemoteKeys() throws IOException {
    AtomicInteger fetches = new AtomicInteger();
    HttpServer idp =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
    idp.createContext(
        "/",
        exchange -> {
          fetches.incrementAndGet();
          exchange.sendResponseHeaders(500, -1);
          exchange.close();
        });
    idp.start();
    try {
      String uri = "http://127.0.0.1:" + idp.getAddress().getPort() + "/jwks";
      Path file =
          write(
              "remote.yaml",
              """
              apiVersion: security.istio.io/v1
              kind: RequestAuthentication
              metadata:
                name: jwt
                namespace: default
              spec:
                jwtRules:
                - issuer: https://issuer.example
                  jwksUri: %s
              """
                  .formatted(uri));
      Run r = validate(file);
      assertThat(r.out()).noneMatch(l -> l.contains("fetch"));
      assertThat(r.out())
          .anyMatch(l -> l.startsWith(file + ":0: warning: spec.jwtRules[0].jwksUri: "));
      assertThat(r.out()).allMatch(l -> l.contains(": warning: "));
      assertThat(r.exit()).isEqualTo(1);
      assertThat(fetches).hasValue(0);
    } finally {
      idp.stop(0);
    }
  }
}
