package dev.meshguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/** `meshguard test`: passing, failing and broken test files, minted tokens, JUnit output. */
class PolicyTestCommandTest {
  static final Path EXAMPLE = Path.of("../examples/policy-tests/ingress.test.yaml");
  static final Path DEMO_POLICIES = Path.of("src/main/resources/demo/ingress-policies.yaml");

  @TempDir Path dir;

  @Test
  void theExampleInTheRepositoryPasses() {
    Cli.Result r = Cli.run("test", EXAMPLE.toString());
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out())
        .contains("PASS the API without a token is denied")
        .endsWith("5 passed, 0 failed\n");
  }

  @Test
  void aBrokenPolicyFailsWithADiffAndTheExplanation() throws Exception {
    // the policy meant to open /productpage now names a path that does not exist
    Files.writeString(
        dir.resolve("policies.yaml"),
        Files.readString(DEMO_POLICIES).replace("- /productpage", "- /product-page"));
    Files.writeString(
        dir.resolve("ingress.test.yaml"),
        Files.readString(EXAMPLE).replaceFirst("config: \\[.*\\]", "config: [policies.yaml]"));
    Path junit = dir.resolve("junit.xml");
    Cli.Result r =
        Cli.run("test", dir.resolve("ingress.test.yaml").toString(), "--junit", junit.toString());
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
    assertThat(r.out())
        .contains(
            """
            FAIL the product page needs no token
                --- expected
                +++ actual
                - status: 200
                + status: 403
                - policy: null
                + policy: istio-system/test-exclude
                explain:
            """)
        .contains("none of [/product-page] matches path `/productpage`, so it holds")
        .contains("PASS the API without a token is denied")
        .endsWith("4 passed, 1 failed\n");

    Document xml = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(junit.toFile());
    Element suites = xml.getDocumentElement();
    assertThat(suites.getAttribute("tests")).isEqualTo("5");
    assertThat(suites.getAttribute("failures")).isEqualTo("1");
    Element failure = (Element) xml.getElementsByTagName("failure").item(0);
    assertThat(((Element) failure.getParentNode()).getAttribute("name"))
        .isEqualTo("the product page needs no token");
    assertThat(failure.getAttribute("message")).isEqualTo("expected status: 200, got status: 403");
    assertThat(failure.getTextContent()).contains("+ policy: istio-system/test-exclude");
  }

  @Test
  void mintsTokensWithTheFilesKeysAtTheTestsClock() throws Exception {
    Cli.Result keygen =
        Cli.run(
            "token",
            "keygen",
            "--alg",
            "ES384",
            "--kid",
            "k1",
            "--private",
            dir.resolve("key.pem").toString(),
            "--jwks",
            dir.resolve("jwks.json").toString());
    assertThat(keygen.exitCode()).as(keygen.toString()).isZero();
    String jwks = Files.readString(dir.resolve("jwks.json")).strip();
    Files.writeString(
        dir.resolve("policies.yaml"),
        """
        apiVersion: security.istio.io/v1
        kind: RequestAuthentication
        metadata: {name: jwt, namespace: foo}
        spec:
          jwtRules:
          - issuer: https://issuer.example
            fromHeaders: [{name: x-jwt}]
            jwks: '%s'
        ---
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: admins, namespace: foo}
        spec:
          rules:
          - to: [{operation: {paths: [/admin]}}]
            when: [{key: 'request.auth.claims[groups]', values: [admin]}]
        """
            .formatted(jwks));
    Files.writeString(
        dir.resolve("claims.test.yaml"),
        """
        config: [policies.yaml]
        now: 1800000000
        keys:
          k1: {file: key.pem, alg: ES384, kid: k1}
        workload: {namespace: foo, labels: {app: httpbin}}
        cases:
        - name: an admin is allowed
          request:
            path: /admin
            tokenHeader: x-jwt
            mint: {key: k1, claims: {iss: https://issuer.example, sub: ann, groups: [admin], exp: "+1h"}}
          expect: {status: 200, principal: https://issuer.example/ann, policy: foo/admins}
        - name: a user is denied
          request:
            path: /admin
            tokenHeader: x-jwt
            mint: {key: k1, claims: {iss: https://issuer.example, sub: bob, groups: [users], exp: "+1h"}}
          expect: {status: 403, reason: "RBAC: access denied"}
        - name: an expired token is refused before authorization
          request:
            path: /admin
            headers: {x-trace: [a, b]}
            tokenHeader: x-jwt
            mint: {key: k1, claims: {iss: https://issuer.example, sub: ann, groups: [admin], exp: "-2m"}}
          expect: {status: 401, body: Jwt is expired, trace: ['token from header `x-jwt`: Jwt is expired']}
        - name: the token is not looked for in authorization
          request:
            path: /admin
            mint: {key: k1, claims: {iss: https://issuer.example, sub: ann, groups: [admin]}}
          expect: {status: 403, principal: null}
        """);
    Cli.Result r = Cli.run("test", dir.resolve("claims.test.yaml").toString());
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out()).endsWith("4 passed, 0 failed\n");
  }

  @Test
  void configurationErrorsFailEveryCaseAndCanBeExpected() throws Exception {
    Files.writeString(
        dir.resolve("bad-policy.yaml"),
        """
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: bad, namespace: foo}
        spec:
          rules:
          - when: [{key: 'request.headers[x-a]'}]
        """);
    Files.writeString(
        dir.resolve("errors.test.yaml"),
        """
        config: [bad-policy.yaml]
        workload: {namespace: foo}
        cases:
        - name: anything
          request: {path: /}
          expect: {status: 200}
        """);
    Cli.Result failing = Cli.run("test", dir.resolve("errors.test.yaml").toString());
    assertThat(failing.exitCode()).as(failing.toString()).isEqualTo(1);
    assertThat(failing.out())
        .contains("FAIL anything")
        .contains("the configuration has errors; nothing was decided")
        .contains("bad-policy.yaml:0: spec.rules[0].when[0]")
        .endsWith("0 passed, 1 failed\n");

    Files.writeString(
        dir.resolve("expected-errors.test.yaml"),
        """
        config: [bad-policy.yaml]
        expectFindings: {errors: ["spec.rules[0].when[0]"]}
        """);
    Cli.Result expected = Cli.run("test", dir.resolve("expected-errors.test.yaml").toString());
    assertThat(expected.exitCode()).as(expected.toString()).isZero();
    assertThat(expected.out()).isEqualTo("PASS configuration findings\n1 passed, 0 failed\n");
  }

  @Test
  void aBrokenTestFileExitsTwoNamingTheFileAndField() throws Exception {
    Files.writeString(dir.resolve("p.yaml"), Files.readString(DEMO_POLICIES));
    Files.writeString(
        dir.resolve("pub.pem"), "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n");
    String[][] broken = {
      {
        "config: [p.yaml]\ncases:\n- name: x\n  request: {pth: /}\n  expect: {status: 200}\n",
        "cases[0].request.pth: unknown field"
      },
      {
        "config: [p.yaml]\ncases:\n- name: x\n  request: {method: GET}\n  expect: {status: 200}\n",
        "cases[0].request.path: required"
      },
      {"config: [missing.yaml]\ncases: []\n", "config[0]: `missing.yaml` does not exist"},
      {
        "config: [p.yaml]\ncases:\n- name: x\n  request: {path: /, mint: {key: nope, claims: {}}}\n"
            + "  expect: {status: 200}\n",
        "cases[0].request.mint.key: no key `nope` under `keys`"
      },
      {
        "config: [p.yaml]\ncases:\n- name: x\n  request: {path: /}\n  expect: {reason: x}\n",
        "cases[0].expect.status: required (or `allowed: true|false`)"
      },
      {
        "config: [p.yaml]\ncases:\n- name: x\n  request: {path: /, port: eighty}\n"
            + "  expect: {status: 200}\n",
        "cases[0].request.port: expected an integer"
      },
      {"config: [p.yaml]\ncases: [\n", "invalid yaml"},
      {
        "config: [p.yaml]\nkeys: {k: {file: pub.pem}}\ncases:\n- name: x\n  request: {path: /}\n"
            + "  expect: {status: 200}\n",
        "keys.k.file: no private key in the PEM blocks"
      },
    };
    for (String[] b : broken) {
      Path file = dir.resolve("broken.test.yaml");
      Files.writeString(file, b[0]);
      Cli.Result r = Cli.run("test", file.toString());
      assertThat(r.exitCode()).as("%s\n%s", b[0], r).isEqualTo(Main.EXIT_USAGE);
      assertThat(r.err()).as(b[0]).contains("meshguard test: " + file + ": " + b[1]);
    }
    Files.writeString(
        dir.resolve("p.yaml"), "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n");
  }
}
