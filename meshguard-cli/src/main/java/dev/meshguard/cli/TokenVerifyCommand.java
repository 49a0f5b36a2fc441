package dev.meshguard.cli;

import dev.meshguard.jwt.JwkSet;
import dev.meshguard.jwt.Jwt;
import dev.meshguard.jwt.JwtException;
import dev.meshguard.jwt.JwtStatus;
import dev.meshguard.jwt.JwtVerifier;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * `meshguard token verify`: Envoy's verdict on one token against a JWKS, by the verifier `check`
 * and `serve` use.
 */
@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    description = {
      "Verifies a token as Envoy's jwt_authn filter would for a rule with this JWKS, issuer and"
          + " audiences: issuer, then time (60 s skew), then audiences, then signature.",
      "Exit code: 0 valid, 1 invalid (Envoy's status text, e.g. `Jwt is expired`), 2 usage error"
          + " or unusable JWKS."
    },
    footer = {
      "",
      "Example:",
      "  meshguard token verify \"$TOKEN\" --jwks jwks.json --issuer testing@secure.istio.io"
    })
public final class TokenVerifyCommand implements Callable<Integer> {
  @Parameters(paramLabel = "TOKEN", description = "the compact token, or - to read stdin")
  String token;

  @Option(names = "--jwks", required = true, paramLabel = "FILE", description = "JWKS to trust")
  Path jwks;

  @Option(names = "--issuer", description = "the rule's issuer (default: any issuer)")
  String issuer;

  @Option(names = "--audience", description = "an accepted audience; repeatable")
  List<String> audiences = new ArrayList<>();

  @Option(names = "--now", paramLabel = "EPOCH_SECONDS", description = "the time (default: now)")
  Long now;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "text|json|yaml",
      description = "output format (default: text)")
  OutputFormat output;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    JwkSet keys;
    try {
      keys = JwkSet.parse(Files.readString(jwks, StandardCharsets.UTF_8));
    } catch (IOException e) {
      err.println("meshguard token verify: " + jwks + ": cannot read: " + e.getMessage());
      return Main.EXIT_USAGE;
    } catch (JwtException e) {
      err.println("meshguard token verify: " + jwks + ": " + e.status().message());
      return Main.EXIT_USAGE;
    }
    long time = now != null ? now : System.currentTimeMillis() / 1000;
    Jwt jwt = null;
    JwtStatus status;
    try {
      jwt = Jwt.parse(TokenText.read(token));
      status = verify(jwt, keys, time);
    } catch (JwtException e) {
      status = e.status();
    }
    String principal =
        status == JwtStatus.OK
            ? (jwt.issuer() == null ? "" : jwt.issuer())
                + "/"
                + (jwt.subject() == null ? "" : jwt.subject())
            : null;
    OutputFormat format = output == null ? OutputFormat.TEXT : output;
    if (format != OutputFormat.TEXT) {
      Map<String, Object> obj = new LinkedHashMap<>();
      obj.put("valid", status == JwtStatus.OK);
      obj.put("status", status.message());
      obj.put("httpStatus", status.httpStatus());
      obj.put("principal", principal);
      out.println(format.write(obj));
    } else if (status == JwtStatus.OK) {
      out.println("OK: verified; principal " + principal);
    } else {
      out.println(status.message());
    }
    out.flush();
    return status == JwtStatus.OK ? 0 : 1;
  }

  /** Envoy's order once the token parsed: issuer, time, audiences, signature. */
  private JwtStatus verify(Jwt jwt, JwkSet keys, long time) {
    String tokenIssuer = jwt.issuer() == null ? "" : jwt.issuer();
    if (issuer != null && !issuer.isEmpty() && !issuer.equals(tokenIssuer)) {
      return JwtStatus.JWT_UNKNOWN_ISSUER;
    }
    return JwtVerifier.verify(jwt, keys, audiences, time);
  }
}
