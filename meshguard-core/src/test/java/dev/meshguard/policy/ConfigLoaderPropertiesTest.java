package dev.meshguard.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Whatever the input, loading returns a ConfigSet: malformed configuration never throws. */
class ConfigLoaderPropertiesTest {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  /** Field names of every kind we read, so that random trees reach deep into the readers. */
  private static final List<String> FIELDS =
      List.of(
          "apiVersion",
          "kind",
          "metadata",
          "name",
          "namespace",
          "labels",
          "annotations",
          "spec",
          "selector",
          "matchLabels",
          "targetRef",
          "targetRefs",
          "group",
          "action",
          "provider",
          "rules",
          "from",
          "to",
          "when",
          "source",
          "operation",
          "principals",
          "notPrincipals",
          "requestPrincipals",
          "notRequestPrincipals",
          "namespaces",
          "serviceAccounts",
          "trustDomains",
          "ipBlocks",
          "remoteIpBlocks",
          "hosts",
          "notHosts",
          "ports",
          "methods",
          "paths",
          "notPaths",
          "key",
          "values",
          "notValues",
          "jwtRules",
          "issuer",
          "audiences",
          "jwksUri",
          "jwks_uri",
          "jwks",
          "fromHeaders",
          "prefix",
          "fromParams",
          "fromCookies",
          "outputPayloadToHeader",
          "outputClaimToHeaders",
          "header",
          "claim",
          "forwardOriginalToken",
          "spaceDelimitedClaims",
          "timeout",
          "presence",
          "addresses",
          "location",
          "resolution",
          "endpoints",
          "address",
          "network",
          "exportTo",
          "number",
          "protocol",
          "targetPort",
          "host",
          "trafficPolicy",
          "tls",
          "mode",
          "portLevelSettings",
          "port",
          "caCertificates",
          "subjectAltNames",
          "insecureSkipVerify",
          "items",
          "<<",
          "");

  private static final List<String> KINDS =
      List.of(
          "security.istio.io/v1:AuthorizationPolicy",
          "security.istio.io/v1beta1:RequestAuthentication",
          "networking.istio.io/v1:ServiceEntry",
          "networking.istio.io/v1alpha3:DestinationRule",
          "v1:List",
          "v1:ConfigMap");

  @Property(tries = 200)
  void arbitraryTextNeverThrows(@ForAll String text) {
    assertWellFormed(ConfigLoader.loadString(text, "fuzz.yaml"));
    assertWellFormed(ConfigLoader.loadString(text, "fuzz.json"));
  }

  @Property(tries = 100)
  void arbitraryBytesNeverThrow(@ForAll @Size(max = 2000) byte[] bytes) throws IOException {
    Path file = Files.createTempFile("meshguard-fuzz", ".yaml");
    try {
      Files.write(file, bytes);
      assertWellFormed(ConfigLoader.load(List.of(file)));
    } finally {
      Files.deleteIfExists(file);
    }
  }

  @Property(tries = 150)
  void randomObjectsOfOurKindsNeverThrow(@ForAll("objects") String yaml) {
    assertWellFormed(ConfigLoader.loadString(yaml, "random.yaml"));
  }

  @Property(tries = 200)
  void mutatedSeedFilesNeverThrow(
      @ForAll("seedTexts") String seed,
      @ForAll @IntRange(min = 0, max = 100_000) int position,
      @ForAll @IntRange(min = 0, max = 40) int deleted,
      @ForAll("yamlNoise") String inserted) {
    int at = position % (seed.length() + 1);
    String mutated =
        seed.substring(0, at) + inserted + seed.substring(Math.min(seed.length(), at + deleted));
    assertWellFormed(ConfigLoader.loadString(mutated, "mutated.yaml"));
  }

  private static void assertWellFormed(ConfigSet config) {
    for (Finding finding : config.findings()) {
      assertThat(finding.format()).isNotBlank();
      assertThat(finding.message()).doesNotContain("\n");
    }
    // Errors reject the configuration; a config without errors has no error findings.
    assertThat(config.hasErrors()).isEqualTo(config.findings().stream().anyMatch(Finding::isError));
  }

  @Provide
  Arbitrary<String> seedTexts() {
    List<String> texts = new ArrayList<>();
    for (String name :
        List.of("external-jwksuri.yaml", "ingress-policies.yaml", "sidecar-jwksuri.yaml")) {
      try {
        texts.add(Files.readString(SeedConfigTest.seedDirectory().resolve(name)));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (java.net.URISyntaxException e) {
        throw new IllegalStateException(e);
      }
    }
    return Arbitraries.of(texts);
  }

  @Provide
  Arbitrary<String> yamlNoise() {
    return Arbitraries.strings()
        .withChars(":-[]{}&*!|>'\"%@`#,? \n\t\\~")
        .withCharRange('a', 'c')
        .ofMaxLength(12);
  }

  @Provide
  Arbitrary<String> objects() {
    Arbitrary<Object> spec = tree(3);
    Arbitrary<Object> metadata = tree(2);
    return Combinators.combine(Arbitraries.of(KINDS), metadata, spec, tree(2))
        .as(
            (kind, meta, body, items) -> {
              Map<String, Object> root = new LinkedHashMap<>();
              root.put("apiVersion", kind.substring(0, kind.indexOf(':')));
              root.put("kind", kind.substring(kind.indexOf(':') + 1));
              root.put("metadata", meta);
              root.put("spec", body);
              root.put("items", items);
              try {
                return YAML.writeValueAsString(root);
              } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
              }
            });
  }

  private static Arbitrary<Object> tree(int depth) {
    Arbitrary<Object> scalar =
        Arbitraries.oneOf(
            Arbitraries.of(
                "",
                "*",
                "/a",
                "/{**}",
                "{*}",
                "10.0.0.0/8",
                "::1",
                "8080",
                "ALLOW",
                "DENY",
                "CUSTOM",
                "STATIC",
                "SIMPLE",
                "MUTUAL",
                "5s",
                "100ms",
                "https://a/jwks",
                "request.auth.claims[x]",
                "source.ip",
                "ns/sa",
                "true"),
            Arbitraries.integers().between(-70_000, 70_000).map(i -> (Object) i),
            Arbitraries.of(true, false).map(b -> (Object) b),
            Arbitraries.just(null),
            Arbitraries.strings().ofMaxLength(8).map(s -> (Object) s));
    if (depth == 0) {
      return scalar;
    }
    Arbitrary<Object> child = tree(depth - 1);
    Arbitrary<Object> list = child.list().ofMaxSize(3).map(l -> (Object) l);
    Arbitrary<Object> map =
        Arbitraries.maps(Arbitraries.of(FIELDS), child).ofMaxSize(4).map(m -> (Object) m);
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(2, scalar),
        net.jqwik.api.Tuple.of(2, list),
        net.jqwik.api.Tuple.of(4, map));
  }
}
