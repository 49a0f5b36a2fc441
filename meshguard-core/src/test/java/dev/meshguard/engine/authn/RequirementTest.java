package dev.meshguard.engine.authn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshguard.engine.authn.Requirement.All;
import dev.meshguard.engine.authn.Requirement.Any;
import dev.meshguard.engine.authn.Requirement.Provider;
import dev.meshguard.jwt.JwksSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The trees istiod's `convertToEnvoyJwtConfig` builds, with and without `presence: REQUIRED`. */
class RequirementTest {
  private static List<JwtProvider> providers(boolean... required) {
    List<JwtProvider> out = new ArrayList<>();
    for (int i = 0; i < required.length; i++) {
      out.add(
          new JwtProvider(
              "origins-" + i,
              "test",
              "iss-" + i,
              List.of(),
              List.of(),
              List.of(),
              List.of(),
              JwksSource.fixed(null, "none"),
              false,
              null,
              List.of(),
              Set.of(),
              required[i]));
    }
    return out;
  }

  private static Any optional(int index) {
    return new Any(List.of(new Provider(index)), true);
  }

  @Test
  void oneOptionalProviderAllowsAMissingToken() {
    assertThat(Requirement.forProviders(providers(false))).isEqualTo(optional(0));
  }

  @Test
  void oneRequiredProviderIsBare() {
    assertThat(Requirement.forProviders(providers(true))).isEqualTo(new Provider(0));
  }

  @Test
  void optionalProvidersKeepTheOuterOr() {
    assertThat(Requirement.forProviders(providers(false, false)))
        .isEqualTo(
            new Any(
                List.of(
                    new Provider(0), new Provider(1), new All(List.of(optional(0), optional(1)))),
                false));
  }

  @Test
  void aRequiredProviderDropsTheOuterOr() {
    assertThat(Requirement.forProviders(providers(true, false)))
        .isEqualTo(new All(List.of(new Provider(0), optional(1))));
    assertThat(Requirement.forProviders(providers(true, true)))
        .isEqualTo(new All(List.of(new Provider(0), new Provider(1))));
  }
}
