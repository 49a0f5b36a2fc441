package dev.meshguard.jwt;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.security.NoSuchAlgorithmException;
import java.security.Provider;
import java.security.Security;
import java.security.Signature;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Chooses which JCA provider does the signature checks. Every check in this package asks JCA by
 * algorithm name only, so the provider listed first wins without any code change: Amazon Corretto
 * Crypto Provider (ACCP, AWS-LC, the BoringSSL lineage Envoy uses) is several times faster than the
 * JDK (ES256 some 20 times), so it goes first where its native library loads; everywhere else the
 * JDK's own providers stay.
 *
 * <p>ACCP is looked up by class name, so this module compiles and runs without it: the executable
 * that wants it puts the {@code linux-x86_64} artifact on the class path. Nothing here throws; a
 * provider that is missing, fails to load or fails its self-tests leaves the JDK in place, and the
 * description says why.
 *
 * <p>{@value #ENV} (or the system property {@value #PROPERTY}, which wins) chooses: {@code jdk}
 * never installs ACCP, {@code accp} installs it even where the caller would not by default, {@code
 * auto} (or unset) leaves it to the caller.
 */
public final class CryptoProviders {
  /** System property that chooses the provider: {@code auto}, {@code accp} or {@code jdk}. */
  public static final String PROPERTY = "meshguard.crypto.provider";

  /** Environment variable that chooses the provider when {@link #PROPERTY} is not set. */
  public static final String ENV = "MESHGUARD_CRYPTO_PROVIDER";

  static final String ACCP_CLASS =
      "com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider";
  static final String ACCP_NAME = "AmazonCorrettoCryptoProvider";

  /** What the configuration asks for. */
  enum Choice {
    AUTO,
    ACCP,
    JDK
  }

  private CryptoProviders() {}

  /**
   * For long-running commands ({@code serve}, {@code demo}): installs ACCP as the first provider
   * unless {@value #ENV} says {@code jdk}. Returns what is active, for the start-up log.
   */
  public static String installPreferred() {
    return install(true, setting(), ACCP_CLASS).get();
  }

  /**
   * For one-shot commands ({@code check}): loading ACCP's native library costs more than the one or
   * two signature checks it would speed up, so it is installed only when {@value #ENV} says {@code
   * accp}. Returns what is active, described only when asked: describing loads JCA providers, which
   * a decision without a signature to check never needs.
   */
  public static Supplier<String> installIfRequested() {
    return install(false, setting(), ACCP_CLASS);
  }

  /**
   * Describes the provider JCA now picks for RSA and ECDSA signatures. Loads the providers up to
   * those (as the first signature check would), not all of them.
   */
  public static String active() {
    Provider rsa = firstProvider("SHA256withRSA");
    Provider ec = firstProvider("SHA256withECDSA");
    if (rsa != null && rsa.getName().equals(ACCP_NAME)) {
      return describeAccp(rsa);
    }
    String rsaName = rsa == null ? "none" : rsa.getName();
    String ecName = ec == null ? "none" : ec.getName();
    boolean jdk = rsaName.startsWith("Sun") && ecName.startsWith("Sun");
    return (jdk ? "JDK" : "providers") + " (" + rsaName + "/" + ecName + ")";
  }

  /**
   * Installs ACCP (class {@code accpClass}) first when {@code setting} asks for it, or says nothing
   * and {@code accpByDefault}. Returns the description of what is active (made when asked), with
   * the reason when ACCP was wanted but is not used.
   */
  static synchronized Supplier<String> install(
      boolean accpByDefault, String setting, String accpClass) {
    Choice choice;
    String settingNote = "";
    try {
      choice = parse(setting);
    } catch (IllegalArgumentException e) {
      choice = Choice.AUTO;
      settingNote = "; " + e.getMessage();
    }
    boolean wanted = choice == Choice.ACCP || (choice == Choice.AUTO && accpByDefault);
    String failure = wanted ? tryInstallAccp(accpClass) : null;
    String notes =
        (choice == Choice.JDK ? "; " + ENV + "=jdk" : "")
            + (failure == null ? "" : "; accp not used: " + failure)
            + settingNote;
    return () -> active() + notes;
  }

  /**
   * Installs ACCP as the first provider; returns null on success, else the reason it is not. The
   * installation is what {@code AmazonCorrettoCryptoProvider.install()} does, after its own health
   * check (native library loaded, self-tests passed), so a broken ACCP never goes first.
   */
  private static String tryInstallAccp(String accpClass) {
    try {
      Class<?> type = Class.forName(accpClass, true, CryptoProviders.class.getClassLoader());
      MethodHandles.Lookup lookup = MethodHandles.publicLookup();
      Object instance = lookup.findStaticGetter(type, "INSTANCE", type).invoke();
      MethodHandle assertHealthy =
          lookup.findVirtual(type, "assertHealthy", MethodType.methodType(void.class));
      assertHealthy.invoke(instance);
      Provider provider = (Provider) instance;
      // insertProviderAt does nothing for a provider already installed, wherever it is.
      Security.removeProvider(provider.getName());
      Security.insertProviderAt(provider, 1);
      return null;
    } catch (ClassNotFoundException e) {
      return "`" + accpClass + "` is not on the class path";
    } catch (Throwable e) {
      // Loading a native library can fail with any Error (UnsatisfiedLinkError,
      // ExceptionInInitializerError, ...): whatever it is, the JDK's providers stay.
      return describeFailure(e);
    }
  }

  private static String describeFailure(Throwable e) {
    StringBuilder reason = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (reason.length() > 0) {
        reason.append(": ");
      }
      reason.append(t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage());
    }
    return reason.toString();
  }

  private static String describeAccp(Provider accp) {
    // ACCP's info reads "AmazonCorrettoCryptoProvider 2.5.0 (AWS-LC v1.47.0)".
    String info = accp.getInfo();
    return info != null && info.startsWith(ACCP_NAME)
        ? info
        : accp.getName() + " " + accp.getVersionStr() + " (AWS-LC)";
  }

  private static Provider firstProvider(String signatureAlgorithm) {
    // Unlike Security.getProviders(filter), which loads every configured provider (some 40 ms).
    try {
      return Signature.getInstance(signatureAlgorithm).getProvider();
    } catch (NoSuchAlgorithmException e) {
      return null;
    }
  }

  /** The setting: the system property, else the environment variable, else null. */
  static String setting() {
    String property = System.getProperty(PROPERTY);
    return property != null ? property : System.getenv(ENV);
  }

  /** Reads a setting; null or blank is {@link Choice#AUTO}. */
  static Choice parse(String setting) {
    if (setting == null || setting.isBlank()) {
      return Choice.AUTO;
    }
    return switch (setting.strip().toLowerCase(Locale.ROOT)) {
      case "auto" -> Choice.AUTO;
      case "accp" -> Choice.ACCP;
      case "jdk" -> Choice.JDK;
      default ->
          throw new IllegalArgumentException(
              "ignored " + ENV + " `" + setting + "`: expected `auto`, `accp` or `jdk`");
    };
  }
}
