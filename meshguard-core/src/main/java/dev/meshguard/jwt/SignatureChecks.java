package dev.meshguard.jwt;

import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.Mac;

/**
 * The signature primitives of Envoy's {@code verify.cc}, done by JCA. Each returns true only when
 * the signature verifies; any exception means "does not verify".
 *
 * <p>{@link Signature}, {@link Mac} and {@link Cipher} objects are not thread-safe and costly to
 * look up, so each thread keeps one per algorithm.
 */
final class SignatureChecks {

  /** The digest a JWT algorithm selects. */
  enum Hash {
    SHA256("SHA-256", 32, "3031300d060960864801650304020105000420"),
    SHA384("SHA-384", 48, "3041300d060960864801650304020205000430"),
    SHA512("SHA-512", 64, "3051300d060960864801650304020305000440");

    final String digestName;
    final int length;

    /**
     * DER of {@code DigestInfo} up to the digest bytes, NULL parameters included, as RFC 8017
     * (section 9.2, note 1) lists them.
     */
    @SuppressWarnings("ImmutableEnumChecker") // written once here, only read afterwards
    private final byte[] digestInfoPrefix;

    Hash(String digestName, int length, String digestInfoPrefixHex) {
      this.digestName = digestName;
      this.length = length;
      this.digestInfoPrefix = HexFormat.of().parseHex(digestInfoPrefixHex);
    }

    String bits() {
      return digestName.substring(4);
    }

    MGF1ParameterSpec mgf1() {
      return switch (this) {
        case SHA256 -> MGF1ParameterSpec.SHA256;
        case SHA384 -> MGF1ParameterSpec.SHA384;
        case SHA512 -> MGF1ParameterSpec.SHA512;
      };
    }
  }

  private static final ThreadLocal<Engines> ENGINES = ThreadLocal.withInitial(Engines::new);

  private SignatureChecks() {}

  /**
   * RS256/384/512: RSASSA-PKCS1-v1_5, exactly as BoringSSL checks it: a signature as long as the
   * modulus whose decoded {@code DigestInfo} equals the DER one byte for byte. The JDK's {@code
   * SHA256withRSA} also accepts a {@code DigestInfo} without the NULL parameters, which AWS-LC (and
   * so Envoy) refuses; so the digest is taken here and {@code NONEwithRSA} compares the whole
   * {@code DigestInfo}, with the same answer from every provider and no speed lost.
   */
  static boolean rsaPkcs1(Key key, Hash hash, byte[] data, int length, byte[] signature) {
    if (!(key instanceof RSAPublicKey rsaKey)
        || signature.length != (rsaKey.getModulus().bitLength() + 7) / 8) {
      return false;
    }
    Engines engines = ENGINES.get();
    MessageDigest digest = engines.digest(hash);
    digest.reset();
    digest.update(data, 0, length);
    byte[] hashed = engines.hashed;
    Signature verifier = engines.pkcs1();
    try {
      digest.digest(hashed, 0, hash.length);
      verifier.initVerify(rsaKey);
      verifier.update(hash.digestInfoPrefix);
      verifier.update(hashed, 0, hash.length);
      return verifier.verify(signature);
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  /**
   * PS256/384/512: RSASSA-PSS with MGF1 of the same digest. BoringSSL, as Envoy calls it, recovers
   * the salt length from the signature instead of requiring the digest length, so a signature with
   * another salt length still verifies. JCA needs the salt length up front: try the usual one, and
   * only when that fails read the salt length out of the encoded message and let JCA verify again
   * with it. The recovery never accepts anything by itself.
   */
  static boolean rsaPss(Key key, Hash hash, byte[] data, int length, byte[] signature) {
    if (verifyPss(key, hash, hash.length, data, length, signature)) {
      return true;
    }
    int saltLength = recoverPssSaltLength(key, hash, signature);
    return saltLength >= 0
        && saltLength != hash.length
        && verifyPss(key, hash, saltLength, data, length, signature);
  }

  /**
   * ES256/384/512: the signature is raw {@code r || s}. Like Envoy, the first half (rounded down)
   * is r and the next half s, whatever the length; wrong values simply fail.
   */
  static boolean ecdsa(Key key, Hash hash, byte[] data, int length, byte[] signature) {
    if (!(key instanceof PublicKey publicKey)) {
      return false;
    }
    int half = signature.length / 2;
    Engines engines = ENGINES.get();
    byte[] der = engines.der(derSequenceLength(signature, half));
    int derLength = writeDerSequence(signature, half, der);
    Signature verifier = engines.ecdsa(hash);
    try {
      verifier.initVerify(publicKey);
      verifier.update(data, 0, length);
      return verifier.verify(der, 0, derLength);
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  /** HS256/384/512, compared in constant time. */
  static boolean hmac(Key key, Hash hash, byte[] data, int length, byte[] signature) {
    try {
      Mac mac = ENGINES.get().hmac(hash);
      mac.init(key);
      mac.update(data, 0, length);
      return MessageDigest.isEqual(mac.doFinal(), signature);
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  /** EdDSA with Ed25519; the caller has checked the 64-byte signature length. */
  static boolean ed25519(Key key, byte[] data, int length, byte[] signature) {
    return key != null && verify(ENGINES.get().ed25519(), key, data, length, signature);
  }

  private static boolean verifyPss(
      Key key, Hash hash, int saltLength, byte[] data, int length, byte[] signature) {
    Signature pss;
    try {
      pss = ENGINES.get().pss();
      pss.setParameter(new PSSParameterSpec(hash.digestName, "MGF1", hash.mgf1(), saltLength, 1));
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
    return verify(pss, key, data, length, signature);
  }

  /**
   * The salt length of an EMSA-PSS encoded message (RFC 8017 section 9.1.2, steps 4-10), or -1 when
   * the signature is not a PSS encoding under this key and digest.
   */
  private static int recoverPssSaltLength(Key key, Hash hash, byte[] signature) {
    if (!(key instanceof RSAPublicKey rsaKey)) {
      return -1;
    }
    byte[] raw;
    try {
      Cipher cipher = ENGINES.get().rawRsa();
      cipher.init(Cipher.DECRYPT_MODE, rsaKey);
      raw = cipher.doFinal(signature);
    } catch (GeneralSecurityException | RuntimeException e) {
      return -1;
    }
    int emBits = rsaKey.getModulus().bitLength() - 1;
    int emLength = (emBits + 7) / 8;
    int offset = raw.length - emLength;
    if (offset < 0 || emLength < hash.length + 2 || raw[raw.length - 1] != (byte) 0xbc) {
      return -1;
    }
    for (int i = 0; i < offset; i++) {
      if (raw[i] != 0) {
        return -1;
      }
    }
    int dbLength = emLength - hash.length - 1;
    MessageDigest digest = ENGINES.get().digest(hash);
    byte[] db = new byte[dbLength];
    byte[] counter = new byte[4];
    for (int done = 0, round = 0; done < dbLength; round++) {
      digest.reset();
      digest.update(raw, offset + dbLength, hash.length);
      counter[3] = (byte) round;
      counter[2] = (byte) (round >>> 8);
      digest.update(counter);
      byte[] mask = digest.digest();
      for (int i = 0; i < mask.length && done < dbLength; i++, done++) {
        db[done] = (byte) (raw[offset + done] ^ mask[i]);
      }
    }
    db[0] &= (byte) (0xff >>> (8 * emLength - emBits));
    int i = 0;
    while (i < dbLength && db[i] == 0) {
      i++;
    }
    return i < dbLength && db[i] == 1 ? dbLength - i - 1 : -1;
  }

  private static boolean verify(
      Signature verifier, Key key, byte[] data, int length, byte[] signature) {
    if (!(key instanceof PublicKey publicKey)) {
      return false;
    }
    try {
      verifier.initVerify(publicKey);
      verifier.update(data, 0, length);
      return verifier.verify(signature);
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  /** {@link #writeDerSequence} into a new array (for tests). */
  static byte[] derSequence(byte[] signature) {
    int half = signature.length / 2;
    byte[] out = new byte[derSequenceLength(signature, half)];
    writeDerSequence(signature, half, out);
    return out;
  }

  /**
   * The length of DER {@code SEQUENCE { INTEGER r, INTEGER s }} for the raw {@code r || s} in
   * {@code signature} (r and s each {@code half} bytes, unsigned big-endian).
   */
  private static int derSequenceLength(byte[] signature, int half) {
    int content = derIntegerLength(signature, 0, half) + derIntegerLength(signature, half, half);
    return 1 + lengthOfLength(content) + content;
  }

  /**
   * Writes DER {@code SEQUENCE { INTEGER r, INTEGER s }}, the form JCA's ECDSA verifiers take, to
   * the start of {@code out}; returns its length. The integers are written as {@link
   * java.math.BigInteger#toByteArray()} writes them: minimal, with a leading zero byte when the top
   * bit is set, and one zero byte for zero.
   */
  private static int writeDerSequence(byte[] signature, int half, byte[] out) {
    int content = derIntegerLength(signature, 0, half) + derIntegerLength(signature, half, half);
    int at = 0;
    out[at++] = 0x30;
    at = writeLength(out, at, content);
    at = writeDerInteger(signature, 0, half, out, at);
    return writeDerInteger(signature, half, half, out, at);
  }

  /** Bytes of an INTEGER element (tag, length, value) for an unsigned big-endian value. */
  private static int derIntegerLength(byte[] src, int offset, int length) {
    int valueLength = derIntegerValueLength(src, offset, length);
    return 1 + lengthOfLength(valueLength) + valueLength;
  }

  private static int derIntegerValueLength(byte[] src, int offset, int length) {
    int start = firstNonZero(src, offset, length);
    int end = offset + length;
    return start == end || (src[start] & 0x80) != 0 ? end - start + 1 : end - start;
  }

  private static int writeDerInteger(byte[] src, int offset, int length, byte[] out, int at) {
    int start = firstNonZero(src, offset, length);
    int end = offset + length;
    int valueLength = derIntegerValueLength(src, offset, length);
    out[at++] = 0x02;
    at = writeLength(out, at, valueLength);
    if (valueLength > end - start) {
      out[at++] = 0;
    }
    System.arraycopy(src, start, out, at, end - start);
    return at + end - start;
  }

  private static int firstNonZero(byte[] src, int offset, int length) {
    int i = offset;
    while (i < offset + length && src[i] == 0) {
      i++;
    }
    return i;
  }

  /** Bytes a DER length takes, including the initial byte. */
  private static int lengthOfLength(int length) {
    if (length < 0x80) {
      return 1;
    }
    int bytes = 0;
    for (int l = length; l != 0; l >>>= 8) {
      bytes++;
    }
    return 1 + bytes;
  }

  private static int writeLength(byte[] out, int at, int length) {
    if (length < 0x80) {
      out[at++] = (byte) length;
      return at;
    }
    int bytes = lengthOfLength(length) - 1;
    out[at++] = (byte) (0x80 | bytes);
    for (int i = bytes - 1; i >= 0; i--) {
      out[at++] = (byte) (length >>> (8 * i));
    }
    return at;
  }

  /**
   * One thread's JCA objects, created on first use. They are not thread-safe and costly to look up,
   * hence one set per thread.
   */
  private static final class Engines {
    private final Map<Hash, Signature> ecdsa = new EnumMap<>(Hash.class);
    private final Map<Hash, Mac> hmac = new EnumMap<>(Hash.class);
    private final Map<Hash, MessageDigest> digest = new EnumMap<>(Hash.class);
    private Signature pkcs1;
    private Signature pss;
    private Signature ed25519;
    private Cipher rawRsa;
    // Room for the longest digest (SHA-512).
    final byte[] hashed = new byte[64];
    private byte[] der = new byte[160];

    /** A buffer of at least {@code length} bytes for an ECDSA signature in DER. */
    byte[] der(int length) {
      if (der.length < length) {
        der = new byte[length];
      }
      return der;
    }

    Signature pkcs1() {
      if (pkcs1 == null) {
        // JCA's name for PKCS#1 v1.5 over a DigestInfo the caller encodes.
        pkcs1 = required(Signature::getInstance, "NONEwithRSA");
      }
      return pkcs1;
    }

    Signature ecdsa(Hash hash) {
      return ecdsa.computeIfAbsent(
          hash, h -> required(Signature::getInstance, "SHA" + h.bits() + "withECDSA"));
    }

    Mac hmac(Hash hash) {
      return hmac.computeIfAbsent(hash, h -> required(Mac::getInstance, "HmacSHA" + h.bits()));
    }

    MessageDigest digest(Hash hash) {
      return digest.computeIfAbsent(hash, h -> required(MessageDigest::getInstance, h.digestName));
    }

    Signature pss() {
      if (pss == null) {
        pss = required(Signature::getInstance, "RSASSA-PSS");
      }
      return pss;
    }

    Signature ed25519() {
      if (ed25519 == null) {
        ed25519 = required(Signature::getInstance, "Ed25519");
      }
      return ed25519;
    }

    Cipher rawRsa() {
      if (rawRsa == null) {
        rawRsa = required(Cipher::getInstance, "RSA/ECB/NoPadding");
      }
      return rawRsa;
    }
  }

  /** A JCA lookup by name. */
  private interface Lookup<T> {
    T get(String name) throws GeneralSecurityException;
  }

  /** Every conforming JDK has these algorithms; missing one is a broken runtime, not a result. */
  private static <T> T required(Lookup<T> lookup, String name) {
    try {
      return lookup.get(name);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("JCA algorithm `" + name + "` is not available", e);
    }
  }
}
