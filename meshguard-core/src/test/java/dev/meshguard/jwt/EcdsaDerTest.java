package dev.meshguard.jwt;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The DER form of a raw ECDSA signature {@code r || s} handed to JCA, written without BigInteger:
 * it must be byte for byte what the BigInteger-based encoding gave (minimal integers, a zero byte
 * before a set top bit, zero as one zero byte), for every length Envoy lets through.
 */
class EcdsaDerTest {

  @Test
  void matchesTheBigIntegerEncodingOnEdgeAndRandomValues() {
    Random random = new Random(42);
    for (int length : new int[] {0, 1, 2, 3, 63, 64, 65, 96, 132, 255, 256, 300, 1000}) {
      int half = length / 2;
      for (int round = 0; round < 200; round++) {
        byte[] signature = new byte[length];
        random.nextBytes(signature);
        switch (round % 5) {
          case 0 -> java.util.Arrays.fill(signature, (byte) 0); // r = s = 0
          case 1 -> {
            for (int i = 0; i < Math.min(3, half); i++) {
              signature[i] = 0; // leading zeros in r
              signature[half + i] = 0; // and in s
            }
          }
          case 2 -> {
            if (half > 0) {
              signature[0] |= (byte) 0x80; // top bit set: needs a zero byte
              signature[half] &= 0x7f;
            }
          }
          default -> {
            // random
          }
        }
        assertThat(SignatureChecks.derSequence(signature))
            .as("length %d round %d", length, round)
            .isEqualTo(reference(signature));
      }
    }
  }

  /** What the code did before: BigInteger's two's-complement bytes in a DER SEQUENCE. */
  private static byte[] reference(byte[] signature) {
    int half = signature.length / 2;
    byte[] r = new BigInteger(1, signature, 0, half).toByteArray();
    byte[] s = new BigInteger(1, signature, half, half).toByteArray();
    ByteArrayOutputStream content = new ByteArrayOutputStream();
    element(content, 0x02, r);
    element(content, 0x02, s);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    element(out, 0x30, content.toByteArray());
    return out.toByteArray();
  }

  private static void element(ByteArrayOutputStream out, int tag, byte[] value) {
    out.write(tag);
    int length = value.length;
    if (length < 0x80) {
      out.write(length);
    } else {
      int bytes = 0;
      for (int l = length; l != 0; l >>>= 8) {
        bytes++;
      }
      out.write(0x80 | bytes);
      for (int i = bytes - 1; i >= 0; i--) {
        out.write(length >>> (8 * i));
      }
    }
    out.write(value, 0, value.length);
  }
}
