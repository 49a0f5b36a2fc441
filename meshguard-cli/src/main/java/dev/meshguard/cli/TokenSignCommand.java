package dev.meshguard.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshguard.cli.token.JwsAlgorithm;
import dev.meshguard.cli.token.KeyFiles;
import dev.meshguard.cli.token.SigningKey;
import dev.meshguard.cli.token.TokenSigner;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** `meshguard token sign`: a compact JWS over the given claims. */
@Command(
    name = "sign",
    mixinStandardHelpOptions = true,
    description = {
      "Signs claims and prints the compact token (header.payload.signature).",
      "--key is a PEM private key (PKCS#8, PKCS#1 or SEC1), a JWK, or a JWKS holding one private"
          + " key; its `kid` and `alg` are used unless --kid/--alg say otherwise.",
      "Exit code: 0 printed, 2 usage error (unreadable key, key and --alg that do not fit)."
    },
    footer = {
      "",
      "Example:",
      "  meshguard token sign --key key.pem --alg RS256 --kid k1 \\",
      "      --claims '{\"iss\":\"testing@secure.istio.io\",\"sub\":\"alice\",\"groups\":[\"g1\"]}'"
          + " --exp-in 1h"
    })
public final class TokenSignCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Option(names = "--key", required = true, paramLabel = "FILE", description = "signing key")
  Path key;

  @Option(names = "--alg", paramLabel = "ALG", description = "algorithm (default: the key's)")
  String alg;

  @Option(names = "--kid", description = "header kid (default: the key file's, if any)")
  String kid;

  @Option(
      names = "--claims",
      paramLabel = "JSON|@FILE",
      defaultValue = "{}",
      description = "the payload: a JSON object, or @FILE to read one")
  String claims;

  @Option(names = "--iss", description = "sets `iss`")
  String issuer;

  @Option(names = "--sub", description = "sets `sub`")
  String subject;

  @Option(names = "--aud", description = "adds to `aud`; repeatable")
  List<String> audiences = new ArrayList<>();

  @Option(
      names = "--exp-in",
      paramLabel = "DURATION",
      description = "sets `exp` that far from now (e.g. 1h, 7d) and `iat` to now")
  String expIn;

  @Option(names = "--now", paramLabel = "EPOCH_SECONDS", description = "the time (default: now)")
  Long now;

  @Option(
      names = "--typ",
      defaultValue = "JWT",
      description = "header typ; empty for none (default: ${DEFAULT-VALUE})")
  String typ;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try {
      SigningKey signingKey = KeyFiles.read(key);
      ObjectNode payload = payload();
      JwsAlgorithm algorithm = alg == null ? null : JwsAlgorithm.parse(alg);
      out.println(
          TokenSigner.sign(signingKey, algorithm, kid, payload, typ.isEmpty() ? null : typ));
      out.flush();
      return 0;
    } catch (NoSuchFileException e) {
      err.println("meshguard token sign: " + e.getFile() + ": no such file");
    } catch (IOException | IllegalArgumentException | GeneralSecurityException e) {
      err.println("meshguard token sign: " + e.getMessage());
    }
    return Main.EXIT_USAGE;
  }

  private ObjectNode payload() throws IOException {
    String text =
        claims.startsWith("@")
            ? Files.readString(Path.of(claims.substring(1)), StandardCharsets.UTF_8)
            : claims;
    JsonNode node;
    try {
      node = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("--claims is not JSON: " + e.getOriginalMessage(), e);
    }
    if (node == null || !node.isObject()) {
      throw new IllegalArgumentException("--claims must be a JSON object");
    }
    ObjectNode payload = (ObjectNode) node;
    if (issuer != null) {
      payload.put("iss", issuer);
    }
    if (subject != null) {
      payload.put("sub", subject);
    }
    if (!audiences.isEmpty()) {
      if (audiences.size() == 1) {
        payload.put("aud", audiences.get(0));
      } else {
        ArrayNode aud = payload.putArray("aud");
        audiences.forEach(aud::add);
      }
    }
    if (expIn != null) {
      Duration lifetime = Durations.parse("--exp-in", expIn);
      long time = now != null ? now : System.currentTimeMillis() / 1000;
      if (!payload.has("iat")) {
        payload.put("iat", time);
      }
      payload.put("exp", time + lifetime.toSeconds());
    }
    return payload;
  }
}
