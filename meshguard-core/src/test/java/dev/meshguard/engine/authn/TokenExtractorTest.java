package dev.meshguard.engine.authn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshguard.engine.HeaderWorkingSet;
import dev.meshguard.engine.RequestHeaders;
import dev.meshguard.jwt.JwksSource;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TokenExtractorTest {
  private static JwtProvider provider(
      List<JwtProvider.HeaderLocation> headers, List<String> params, List<String> cookies) {
    return new JwtProvider(
        "origins-0",
        "test",
        "iss",
        List.of(),
        headers,
        params,
        cookies,
        JwksSource.fixed(null, "none"),
        false,
        null,
        List.of(),
        Set.of());
  }

  private static HeaderWorkingSet headers(String... nameValues) {
    List<Map.Entry<String, String>> list = new java.util.ArrayList<>();
    for (int i = 0; i < nameValues.length; i += 2) {
      list.add(Map.entry(nameValues[i], nameValues[i + 1]));
    }
    return new HeaderWorkingSet(RequestHeaders.of(list));
  }

  @Test
  void prefixIsFoundAnywhereAndIsCaseSensitive() {
    JwtProvider p =
        provider(
            List.of(new JwtProvider.HeaderLocation("authorization", "Bearer ")),
            List.of(),
            List.of());
    assertThat(TokenExtractor.extract(p, headers("Authorization", "x Bearer a.b.c"), null))
        .extracting(ExtractedToken::token)
        .containsExactly("a.b.c");
    assertThat(TokenExtractor.extract(p, headers("Authorization", "bearer a.b.c"), null)).isEmpty();
  }

  @Test
  void eachHeaderValueIsItsOwnToken() {
    JwtProvider p =
        provider(List.of(new JwtProvider.HeaderLocation("x-jwt", "")), List.of(), List.of());
    assertThat(TokenExtractor.extract(p, headers("x-jwt", "one", "X-JWT", "two"), null))
        .extracting(ExtractedToken::token)
        .containsExactly("one", "two");
  }

  @Test
  void repeatedAuthorizationLinesAreJoinedAsEnvoysCodecJoinsThem() {
    JwtProvider p =
        provider(
            List.of(new JwtProvider.HeaderLocation("authorization", "Bearer ")),
            List.of(),
            List.of());
    // the first line decides where the token starts; the rest stays part of it
    assertThat(
            TokenExtractor.extract(
                p, headers("Authorization", "Bearer junk", "authorization", "Bearer a.b.c"), null))
        .extracting(ExtractedToken::token)
        .containsExactly("junk,Bearer a.b.c");
    assertThat(
            TokenExtractor.extract(
                p, headers("Authorization", "Basic x", "Authorization", "Bearer a.b.c"), null))
        .extracting(ExtractedToken::token)
        .containsExactly("a.b.c");
    assertThat(
            TokenExtractor.extract(
                p, headers("Authorization", "Bearer a.b.c", "Authorization", "Basic x"), null))
        .extracting(ExtractedToken::token)
        .containsExactly("a.b.c,Basic x");
  }

  @Test
  void textAfterTheTokenStaysPartOfIt() {
    JwtProvider p =
        provider(
            List.of(new JwtProvider.HeaderLocation("authorization", "Bearer ")),
            List.of(),
            List.of());
    assertThat(TokenExtractor.extract(p, headers("Authorization", "Bearer a.b.c junk"), null))
        .extracting(ExtractedToken::token)
        .containsExactly("a.b.c junk");
    assertThat(TokenExtractor.extract(p, headers("Authorization", "Bearer  \"a.b.c,x"), null))
        .extracting(ExtractedToken::token)
        .containsExactly("a.b.c,x");
  }

  @Test
  void queryParametersAreDecodedAndTheFirstValueWins() {
    JwtProvider p = provider(List.of(), List.of("access_token"), List.of());
    assertThat(TokenExtractor.extract(p, headers(), "a=1&access_token=x%2Ey&access_token=z"))
        .extracting(ExtractedToken::token)
        .containsExactly("x.y");
  }

  @Test
  void cookiesMatchByExactName() {
    JwtProvider p = provider(List.of(), List.of(), List.of("session"));
    assertThat(
            TokenExtractor.extract(
                p, headers("Cookie", "sessionx=1; session=\"tok\"; other=2"), null))
        .extracting(ExtractedToken::token)
        .containsExactly("tok");
  }

  @Test
  void headersComeBeforeParametersBeforeCookies() {
    JwtProvider p =
        provider(List.of(new JwtProvider.HeaderLocation("x-h", "")), List.of("q"), List.of("c"));
    assertThat(TokenExtractor.extract(p, headers("cookie", "c=3", "x-h", "1"), "q=2"))
        .extracting(t -> t.location().kind())
        .containsExactly(
            TokenLocation.Kind.HEADER,
            TokenLocation.Kind.QUERY_PARAMETER,
            TokenLocation.Kind.COOKIE);
  }
}
