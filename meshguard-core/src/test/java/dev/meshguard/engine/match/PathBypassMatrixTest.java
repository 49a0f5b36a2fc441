package dev.meshguard.engine.match;

import static dev.meshguard.engine.PathNormalization.BASE;
import static dev.meshguard.engine.PathNormalization.DECODE_AND_MERGE_SLASHES;
import static dev.meshguard.engine.PathNormalization.MERGE_SLASHES;
import static dev.meshguard.engine.PathNormalization.NONE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.meshguard.engine.PathNormalization;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Security rows 1, 6, 10 and 12 of peers-and-security.md section 4, per normalisation mode. Each
 * row gives what Envoy hands to authorization (and upstream); "400" means Envoy rejects the request
 * itself. The last column says whether an exact policy path (`/admin`, `/secure`, `/user/profile`)
 * matches, which is what decides a DENY.
 */
class PathBypassMatrixTest {

  private static final String REJECTED = "400";

  private record Row(String target, String exactPolicyPath, List<String> expectedPerMode) {}

  private static final PathNormalization[] MODES = {
    NONE, BASE, MERGE_SLASHES, DECODE_AND_MERGE_SLASHES
  };

  private static final List<Row> ROWS =
      List.of(
          // row 1: CVE-2019-9901, dot segments
          row("/public/../admin", "/admin", "/public/../admin", "/admin", "/admin", "/admin"),
          row("/./admin", "/admin", "/./admin", "/admin", "/admin", "/admin"),
          // the trailing `.` leaves a trailing slash: an exact `/admin` rule does NOT match
          row("/admin/.", "/admin", "/admin/.", "/admin/", "/admin/", "/admin/"),
          row(
              "/public/%2e%2e/admin",
              "/admin", "/public/%2e%2e/admin", "/admin", "/admin", "/admin"),
          // row 6: CVE-2020-8595, query and fragment are not part of the matched path
          row("/secure?x=1", "/secure", "/secure", "/secure", "/secure", "/secure"),
          row("/secure#a", "/secure", "/secure", "/secure", "/secure", "/secure"),
          // path parameters are kept: `/secure;x` is not `/secure` for an exact rule
          row("/secure;x", "/secure", "/secure;x", "/secure;x", "/secure;x", "/secure;x"),
          // row 10: CVE-2021-31920 matrix
          row("/admin", "/admin", "/admin", "/admin", "/admin", "/admin"),
          row("//admin", "/admin", "//admin", "//admin", "/admin", "/admin"),
          row("/%2Fadmin", "/admin", "/%2Fadmin", "/%2Fadmin", "/%2Fadmin", "/admin"),
          row(
              "/a/..%2Fadmin",
              "/admin", "/a/..%2Fadmin", "/a/..%2Fadmin", "/a/..%2Fadmin", "/admin"),
          // `\admin` as a request target does not start with `/`: the codec answers 400
          row("\\admin", "/admin", REJECTED, REJECTED, REJECTED, REJECTED),
          row("/\\admin", "/admin", "/\\admin", "//admin", "/admin", "/admin"),
          row("/%5Cadmin", "/admin", "/%5Cadmin", "/%5Cadmin", "/%5Cadmin", "/admin"),
          row("/%61dmin", "/admin", "/%61dmin", "/admin", "/admin", "/admin"),
          row("/admin%00", "/admin", "/admin%00", REJECTED, REJECTED, REJECTED),
          // row 12: CVE-2021-39156, the fragment is dropped in every mode
          row(
              "/user/profile#x",
              "/user/profile",
              "/user/profile",
              "/user/profile",
              "/user/profile",
              "/user/profile"),
          row(
              "/user/profile#/../../admin",
              "/user/profile",
              "/user/profile",
              "/user/profile",
              "/user/profile",
              "/user/profile"));

  private static Row row(String target, String policyPath, String... perMode) {
    return new Row(target, policyPath, List.of(perMode));
  }

  static Stream<Arguments> cases() {
    List<Arguments> cases = new ArrayList<>();
    for (Row row : ROWS) {
      for (int m = 0; m < MODES.length; m++) {
        cases.add(
            Arguments.of(
                MODES[m], row.target(), row.exactPolicyPath(), row.expectedPerMode().get(m)));
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0} {1} -> {3}")
  @MethodSource("cases")
  void whatAuthorizationSees(
      PathNormalization mode, String target, String policyPath, String expected) {
    NormalizedPath result = PathNormalizer.normalize(target, mode);
    if (expected.equals(REJECTED)) {
      assertThat(result.valid()).isFalse();
      assertThat(result.rejectStatus()).isEqualTo(400);
      return;
    }
    assertThat(result.valid()).isTrue();
    assertThat(result.path()).isEqualTo(expected);
    // The exact policy value matches exactly when the normalised path equals it.
    StringMatch exact = StringMatch.of(policyPath, StringMatch.Kind.GENERIC);
    assertThat(exact.matches(result.path())).isEqualTo(expected.equals(policyPath));
  }
}
