package dev.meshguard.runtime;

import dev.meshguard.policy.ConfigSet;
import dev.meshguard.policy.JwtRule;
import dev.meshguard.policy.RequestAuthentication;
import java.util.ArrayList;
import java.util.List;

/**
 * Recognises Istio's sample signing key (`security/tools/jwt/samples`). Its private half is
 * published, so anyone can mint tokens it accepts: a built-in default key of that kind was
 * CVE-2020-1764. `serve` refuses it unless told otherwise; `demo` is the one place it belongs.
 */
public final class DemoKeys {
  /** The start of the sample key's RSA modulus `n`; unique enough and layout-independent. */
  static final String SAMPLE_MODULUS_PREFIX =
      "xAE7eB6qugXyCAG3yhh7pkDkT65pHymX-P7KfIupjf59vsdo91bSP9C8";

  static final String SAMPLE_KID = "DHFbpoIUqrY8t2zpA2qXfCmr5VO5ZEr4RzHU_-envvQ";

  private DemoKeys() {}

  /** One line per inline `jwks` that holds the sample key; empty when none does. */
  public static List<String> usages(ConfigSet config) {
    List<String> out = new ArrayList<>();
    for (RequestAuthentication ra : config.requestAuthentications()) {
      List<JwtRule> rules = ra.jwtRules();
      for (int i = 0; i < rules.size(); i++) {
        String jwks = rules.get(i).jwks();
        if (jwks != null && jwks.contains(SAMPLE_MODULUS_PREFIX)) {
          out.add(
              ra.origin().file()
                  + ":"
                  + ra.origin().index()
                  + ": requestauthentication `"
                  + ra.metadata().qualifiedName()
                  + "`: jwtRules["
                  + i
                  + "].jwks: holds Istio's public sample key (kid `"
                  + SAMPLE_KID
                  + "`), whose private key is published: anyone can sign tokens it accepts");
        }
      }
    }
    return out;
  }
}
