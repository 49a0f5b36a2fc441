package dev.meshguard.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.meshguard.jwt.Jwt;
import dev.meshguard.jwt.JwtException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** `meshguard token decode`: header and payload of a token, without verifying it. */
@Command(
    name = "decode",
    mixinStandardHelpOptions = true,
    description = {
      "Prints a token's header and payload, and its times (iat, nbf, exp) in human form."
          + " Nothing is verified.",
      "Exit code: 0 decoded, 2 not a token (Envoy's text says why)."
    },
    footer = {
      "",
      "Example:",
      "  meshguard token decode \"$TOKEN\"",
      "  echo \"$TOKEN\" | meshguard token decode -"
    })
public final class TokenDecodeCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> TIMES = List.of("iat", "nbf", "exp", "auth_time");

  @Parameters(paramLabel = "TOKEN", description = "the compact token, or - to read stdin")
  String token;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "text|json|yaml",
      description = "output format (default: text)")
  OutputFormat output;

  @Option(
      names = "--now",
      paramLabel = "EPOCH_SECONDS",
      description = "the time relative times are shown from (default: now)")
  Long now;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    String text = TokenText.read(token);
    String[] parts = text.split("\\.", -1);
    if (parts.length != 3) {
      err.println("meshguard token decode: " + orElse(envoyParse(text), "not a compact JWS"));
      return Main.EXIT_USAGE;
    }
    JsonNode header = segment(parts[0]);
    JsonNode payload = segment(parts[1]);
    if (header == null || !header.isObject()) {
      err.println("meshguard token decode: " + orElse(envoyParse(text), "bad header"));
      return Main.EXIT_USAGE;
    }
    if (payload == null || !payload.isObject()) {
      err.println("meshguard token decode: " + orElse(envoyParse(text), "bad payload"));
      return Main.EXIT_USAGE;
    }
    long time = now != null ? now : System.currentTimeMillis() / 1000;
    Map<String, String> times = new LinkedHashMap<>();
    for (String name : TIMES) {
      JsonNode v = payload.get(name);
      if (v != null && v.canConvertToLong()) {
        times.put(name, TokenText.time(v.asLong(), time));
      }
    }
    String envoy = envoyParse(text);
    OutputFormat format = output == null ? OutputFormat.TEXT : output;
    if (format != OutputFormat.TEXT) {
      Map<String, Object> obj = new LinkedHashMap<>();
      obj.put("header", header);
      obj.put("payload", payload);
      obj.put("times", times);
      obj.put("envoyParse", envoy);
      out.println(format.write(obj));
    } else {
      ObjectMapper pretty = JSON.copy().enable(SerializationFeature.INDENT_OUTPUT);
      out.println("header:");
      out.println(pretty.writeValueAsString(header));
      out.println("payload:");
      out.println(pretty.writeValueAsString(payload));
      times.forEach((name, value) -> out.println(name + ": " + payload.get(name) + "  " + value));
      if (!envoy.equals("OK")) {
        out.println("note: Envoy would reject this token: " + envoy);
      }
    }
    out.flush();
    return 0;
  }

  private static String orElse(String envoy, String fallback) {
    return envoy.equals("OK") ? fallback : envoy;
  }

  /** `OK`, or the Envoy status text of the first thing its parser refuses. */
  private static String envoyParse(String text) {
    try {
      Jwt.parse(text);
      return "OK";
    } catch (JwtException e) {
      return e.status().message();
    }
  }

  private static JsonNode segment(String part) {
    try {
      byte[] bytes = Base64.getUrlDecoder().decode(part);
      return JSON.readTree(new String(bytes, StandardCharsets.UTF_8));
    } catch (IllegalArgumentException | IOException e) {
      return null;
    }
  }
}
