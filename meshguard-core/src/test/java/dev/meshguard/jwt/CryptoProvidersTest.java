package dev.meshguard.jwt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.meshguard.jwt.CryptoProviders.Choice;
import dev.meshguard.jwt.TestKeys.Alg;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.Provider;
import java.security.Security;
import java.security.Signature;
import java.util.Arrays;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * {@link CryptoProviders}. This class runs twice, like the whole jwt package: with the JDK's
 * providers and with ACCP installed first ({@code -Dmeshguard.crypto.provider=accp}). Nothing here
 * installs ACCP itself, so the JDK run stays a JDK run.
 */
class CryptoProvidersTest {
  private static boolean accpRun() {
    return "accp".equals(System.getProperty(CryptoProviders.PROPERTY));
  }

  private static List<Provider> providers() {
    return Arrays.asList(Security.getProviders());
  }

  @Test
  void theRunUsesTheProviderItAskedFor() {
    if (accpRun()) {
      assertThat(CryptoProviders.active()).startsWith("AmazonCorrettoCryptoProvider 2.5.0 (AWS-LC");
      assertThat(Security.getProviders()[0].getName()).isEqualTo(CryptoProviders.ACCP_NAME);
    } else {
      assertThat(CryptoProviders.active()).isEqualTo("JDK (SunRsaSign/SunEC)");
      assertThat(providers())
          .extracting(Provider::getName)
          .doesNotContain("AmazonCorrettoCryptoProvider");
    }
  }

  @Test
  void settingsAreReadLeniently() {
    assertThat(CryptoProviders.parse(null)).isEqualTo(Choice.AUTO);
    assertThat(CryptoProviders.parse(" ")).isEqualTo(Choice.AUTO);
    assertThat(CryptoProviders.parse("auto")).isEqualTo(Choice.AUTO);
    assertThat(CryptoProviders.parse(" ACCP ")).isEqualTo(Choice.ACCP);
    assertThat(CryptoProviders.parse("Jdk")).isEqualTo(Choice.JDK);
    assertThatThrownBy(() -> CryptoProviders.parse("openssl"))
        .hasMessage(
            "ignored MESHGUARD_CRYPTO_PROVIDER `openssl`: expected `auto`, `accp` or `jdk`");
  }

  @Test
  void oneShotCommandsKeepWhatIsThereUnlessAsked() {
    List<Provider> before = providers();

    String active = CryptoProviders.install(false, null, CryptoProviders.ACCP_CLASS).get();

    assertThat(providers()).isEqualTo(before);
    assertThat(active).isEqualTo(CryptoProviders.active());
  }

  @Test
  void jdkSettingInstallsNothing() {
    List<Provider> before = providers();

    String active = CryptoProviders.install(true, "jdk", CryptoProviders.ACCP_CLASS).get();

    assertThat(providers()).isEqualTo(before);
    assertThat(active).isEqualTo(CryptoProviders.active() + "; MESHGUARD_CRYPTO_PROVIDER=jdk");
  }

  @Test
  void unknownSettingIsReportedAndTreatedAsAuto() {
    String active = CryptoProviders.install(false, "fastest", CryptoProviders.ACCP_CLASS).get();

    assertThat(active)
        .isEqualTo(
            CryptoProviders.active()
                + "; ignored MESHGUARD_CRYPTO_PROVIDER `fastest`: expected `auto`, `accp` or"
                + " `jdk`");
  }

  @Test
  void missingProviderLeavesTheProvidersAsTheyAreAndSaysWhy() {
    List<Provider> before = providers();

    String active = CryptoProviders.install(true, "accp", "com.example.NoSuchProvider").get();

    assertThat(providers()).isEqualTo(before);
    assertThat(active)
        .isEqualTo(
            CryptoProviders.active()
                + "; accp not used: `com.example.NoSuchProvider` is not on the class path");
  }

  @Test
  void providerThatFailsToLoadLeavesTheProvidersAsTheyAreAndSaysWhy() {
    List<Provider> before = providers();

    // A class without ACCP's API stands for one whose native library or self-test failed.
    String active = CryptoProviders.install(true, null, "java.lang.String").get();

    assertThat(providers()).isEqualTo(before);
    assertThat(active).startsWith(CryptoProviders.active() + "; accp not used: ");
  }

  /** Which provider does each operation the jwt package asks JCA for, once ACCP is first. */
  @Test
  void accpDoesTheSignatureChecksAndTheJdkTheRest() throws Exception {
    assumeTrue(accpRun(), "only in the ACCP run");
    String accp = CryptoProviders.ACCP_NAME;

    Signature pkcs1 = Signature.getInstance("NONEwithRSA");
    pkcs1.initVerify(TestKeys.SIGNING.get(Alg.RS256).pair.getPublic());
    assertThat(pkcs1.getProvider().getName()).isEqualTo(accp);
    Signature pss = Signature.getInstance("RSASSA-PSS");
    pss.initVerify(TestKeys.SIGNING.get(Alg.PS256).pair.getPublic());
    assertThat(pss.getProvider().getName()).isEqualTo(accp);
    Signature ecdsa = Signature.getInstance("SHA256withECDSA");
    ecdsa.initVerify(TestKeys.SIGNING.get(Alg.ES256).pair.getPublic());
    assertThat(ecdsa.getProvider().getName()).isEqualTo(accp);
    Signature ed25519 = Signature.getInstance("Ed25519");
    ed25519.initVerify(TestKeys.SIGNING.get(Alg.EdDSA).pair.getPublic());
    assertThat(ed25519.getProvider().getName()).isEqualTo(accp);
    Mac hmac = Mac.getInstance("HmacSHA256");
    hmac.init(new SecretKeySpec(new byte[32], "HMAC"));
    assertThat(hmac.getProvider().getName()).isEqualTo(accp);
    assertThat(MessageDigest.getInstance("SHA-256").getProvider().getName()).isEqualTo(accp);
    assertThat(KeyFactory.getInstance("RSA").getProvider().getName()).isEqualTo(accp);
    assertThat(KeyFactory.getInstance("EC").getProvider().getName()).isEqualTo(accp);
    // ACCP 2.5 signs and verifies Ed25519 but has no Ed25519 KeyFactory: keys come from the JDK.
    assertThat(KeyFactory.getInstance("Ed25519").getProvider().getName()).isEqualTo("SunEC");
  }
}
