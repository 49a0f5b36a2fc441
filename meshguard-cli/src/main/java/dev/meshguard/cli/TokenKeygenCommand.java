package dev.meshguard.cli;

import dev.meshguard.cli.token.GeneratedKey;
import dev.meshguard.cli.token.JwsAlgorithm;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** `meshguard token keygen`: a new key pair (or HS secret) and the JWKS that trusts it. */
@Command(
    name = "keygen",
    mixinStandardHelpOptions = true,
    description = {
      "Generates a key for ALG and writes the private key and the JWKS to trust it (the public"
          + " key, with `kid` and `alg`; for HS the secret itself).",
      "The private key is written as PKCS#8 PEM, or as a JWK when FILE ends in .json or .jwk"
          + " (always a JWK for HS secrets). Existing files are kept unless --force.",
      "Exit code: 0 written, 2 usage error."
    },
    footer = {
      "",
      "Example:",
      "  meshguard token keygen --alg RS256 --kid k1 --private key.pem --jwks jwks.json",
      "  meshguard token keygen --alg HS256 --private secret.jwk --jwks jwks.json"
    })
public final class TokenKeygenCommand implements Callable<Integer> {
  @Option(names = "--alg", required = true, paramLabel = "ALG", description = "RS256 ... EdDSA")
  String alg;

  @Option(names = "--kid", description = "key id (default: the RFC 7638 thumbprint)")
  String kid;

  @Option(names = "--private", required = true, paramLabel = "FILE", description = "private key")
  Path privateFile;

  @Option(names = "--jwks", required = true, paramLabel = "FILE", description = "JWKS to trust")
  Path jwksFile;

  @Option(
      names = "--bits",
      defaultValue = "2048",
      description = "RSA modulus size (default: ${DEFAULT-VALUE})")
  int bits;

  @Option(names = "--force", description = "overwrite existing files")
  boolean force;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    GeneratedKey key;
    boolean jwkFile;
    try {
      JwsAlgorithm algorithm = JwsAlgorithm.parse(alg);
      String name = privateFile.getFileName().toString().toLowerCase(Locale.ROOT);
      jwkFile = name.endsWith(".json") || name.endsWith(".jwk");
      if (!algorithm.isPublicKey() && !jwkFile) {
        throw new IllegalArgumentException(
            "an HS secret is written as a JWK: name --private FILE with .json or .jwk");
      }
      key = GeneratedKey.generate(algorithm, bits, kid);
    } catch (IllegalArgumentException | GeneralSecurityException e) {
      err.println("meshguard token keygen: " + e.getMessage());
      return Main.EXIT_USAGE;
    }
    for (Path file : new Path[] {privateFile, jwksFile}) {
      if (!force && Files.exists(file)) {
        err.println("meshguard token keygen: " + file + " exists (--force overwrites it)");
        return Main.EXIT_USAGE;
      }
    }
    try {
      writePrivate(privateFile, jwkFile ? key.privateJwkJson() + "\n" : key.privatePem());
      write(jwksFile, key.jwks() + "\n");
    } catch (FileAlreadyExistsException e) {
      err.println("meshguard token keygen: " + e.getFile() + " exists (--force overwrites it)");
      return Main.EXIT_USAGE;
    }
    out.println(
        "meshguard token keygen: "
            + key.algorithm()
            + " key `"
            + key.kid()
            + "`: private key in "
            + privateFile
            + ", JWKS in "
            + jwksFile);
    if (!key.algorithm().isPublicKey()) {
      err.println(
          "meshguard token keygen: note: the JWKS of an HS key holds the secret itself; whoever"
              + " reads it can sign tokens");
    }
    out.flush();
    return 0;
  }

  private void writePrivate(Path file, String text) throws IOException {
    if (force) {
      Files.deleteIfExists(file);
    }
    try {
      Files.createFile(
          file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException e) {
      Files.createFile(file);
    }
    Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
  }

  private void write(Path file, String text) throws IOException {
    if (force) {
      Files.writeString(file, text, StandardCharsets.UTF_8);
    } else {
      Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW);
    }
  }
}
