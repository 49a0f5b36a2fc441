package dev.meshguard.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** `meshguard token`: make and read test tokens (replaces Istio's `gen-jwt.py`). */
@Command(
    name = "token",
    mixinStandardHelpOptions = true,
    description = {
      "Makes keys and tokens for testing policies, and reads tokens: all 13 algorithms Envoy"
          + " verifies (RS/PS/ES/HS 256/384/512, EdDSA).",
      "Exit code: each subcommand's (0 success, 1 an invalid token for verify, 2 usage error)."
    },
    subcommands = {
      TokenKeygenCommand.class,
      TokenSignCommand.class,
      TokenDecodeCommand.class,
      TokenVerifyCommand.class
    },
    footer = {
      "",
      "Example:",
      "  meshguard token keygen --alg ES256 --kid k1 --private key.pem --jwks jwks.json",
      "  meshguard token sign --key key.pem --kid k1 --iss https://issuer.example --sub alice"
          + " --exp-in 1h",
      "  meshguard token verify \"$TOKEN\" --jwks jwks.json --issuer https://issuer.example"
    })
public final class TokenCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "missing subcommand: keygen, sign, decode or verify");
  }
}
