package dev.meshguard.engine.authn;

import dev.meshguard.jwt.Jwt;
import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The SHA-256 digest of a token, the key of {@link VerifiedTokenCache}: 32 bytes instead of the
 * token, and, being collision resistant, as good as the token itself for equality (nobody can make
 * a second token with the digest of one that verified).
 */
record TokenDigest(long a, long b, long c, long d) {

  private static final ThreadLocal<Work> WORK = ThreadLocal.withInitial(Work::new);

  /**
   * The digest of {@code token}, or null for a token with a character outside ASCII, which can
   * never verify (every segment is base64url) and is not worth remembering.
   */
  static TokenDigest of(String token) {
    return of(token, 0);
  }

  /** {@link #of(String)} of {@code value[start, end of value)}, without copying it out. */
  static TokenDigest of(String value, int start) {
    int length = value.length() - start;
    if (length > Jwt.MAX_TOKEN_LENGTH) {
      return null;
    }
    Work work = WORK.get();
    byte[] bytes = work.buffer(length);
    for (int i = 0; i < length; i++) {
      char ch = value.charAt(start + i);
      if (ch >= 0x80) {
        return null;
      }
      bytes[i] = (byte) ch;
    }
    MessageDigest sha256 = work.sha256;
    sha256.update(bytes, 0, length);
    byte[] out = work.digest;
    try {
      sha256.digest(out, 0, out.length);
    } catch (DigestException e) {
      throw new IllegalStateException("a SHA-256 digest is 32 bytes", e);
    }
    return new TokenDigest(longAt(out, 0), longAt(out, 8), longAt(out, 16), longAt(out, 24));
  }

  private static long longAt(byte[] b, int at) {
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (b[at + i] & 0xff);
    }
    return v;
  }

  @Override
  public int hashCode() {
    // Already uniformly distributed.
    return (int) a;
  }

  /** One thread's digest and buffer, so the hot path allocates only the result. */
  private static final class Work {
    final MessageDigest sha256;
    final byte[] digest = new byte[32];
    private byte[] buffer = new byte[1024];

    Work() {
      try {
        sha256 = MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("every JDK has SHA-256", e);
      }
    }

    byte[] buffer(int length) {
      if (buffer.length < length) {
        buffer = new byte[Math.max(length, buffer.length * 2)];
      }
      return buffer;
    }
  }
}
