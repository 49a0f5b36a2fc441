package dev.meshguard.jwt;

/**
 * One thread's reusable buffers for parsing and verifying tokens, so a token never seen before
 * costs no more objects than its result needs: decoded segments, the streaming scan and the signing
 * input are used and forgotten within one call.
 */
final class ParseScratch {
  private static final ThreadLocal<ParseScratch> CURRENT =
      ThreadLocal.withInitial(ParseScratch::new);

  final SegmentScan scan = new SegmentScan();
  final StrictScan strict = new StrictScan();
  final AsciiChars chars = new AsciiChars();
  private byte[] decoded = new byte[1024];
  private byte[] signingInput = new byte[1024];

  static ParseScratch get() {
    return CURRENT.get();
  }

  /** A buffer of at least {@code length} bytes for a decoded segment (contents undefined). */
  byte[] decoded(int length) {
    if (decoded.length < length) {
      decoded = new byte[Math.max(length, decoded.length * 2)];
    }
    return decoded;
  }

  /** A buffer of at least {@code length} bytes for a signing input (contents undefined). */
  byte[] signingInput(int length) {
    if (signingInput.length < length) {
      signingInput = new byte[Math.max(length, signingInput.length * 2)];
    }
    return signingInput;
  }

  /** ASCII bytes seen as characters, for text checks shared with {@link String} input. */
  static final class AsciiChars implements CharSequence {
    private byte[] bytes = new byte[0];
    private int offset;
    private int length;

    AsciiChars wrap(byte[] bytes, int offset, int length) {
      this.bytes = bytes;
      this.offset = offset;
      this.length = length;
      return this;
    }

    @Override
    public int length() {
      return length;
    }

    @Override
    public char charAt(int index) {
      return (char) bytes[offset + index];
    }

    @Override
    public CharSequence subSequence(int start, int end) {
      return new String(
          bytes, offset + start, end - start, java.nio.charset.StandardCharsets.US_ASCII);
    }

    @Override
    public String toString() {
      return new String(bytes, offset, length, java.nio.charset.StandardCharsets.US_ASCII);
    }
  }
}
