package dev.meshguard.cli.token;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Just enough DER to read the two traditional OpenSSL key files (PKCS#1 `RSA PRIVATE KEY` and SEC1
 * `EC PRIVATE KEY`) that JCA does not read itself. It only splits structures; every key is built
 * and checked by JCA.
 */
final class Der {
  static final int INTEGER = 0x02;
  static final int BIT_STRING = 0x03;
  static final int OCTET_STRING = 0x04;
  static final int OID = 0x06;
  static final int SEQUENCE = 0x30;

  /** One element: its tag byte and its content. */
  record Element(int tag, byte[] content) {
    BigInteger integer() {
      expect(INTEGER);
      return new BigInteger(content);
    }

    List<Element> children() {
      return Der.elements(content);
    }

    Element expect(int wanted) {
      if (tag != wanted) {
        throw new IllegalArgumentException(
            String.format("malformed key: expected DER tag 0x%02x, got 0x%02x", wanted, tag));
      }
      return this;
    }

    /** The dotted form of an OBJECT IDENTIFIER. */
    String oid() {
      expect(OID);
      StringBuilder out = new StringBuilder();
      long value = 0;
      boolean first = true;
      for (byte b : content) {
        value = (value << 7) | (b & 0x7f);
        if ((b & 0x80) == 0) {
          if (first) {
            long head = Math.min(value / 40, 2);
            out.append(head).append('.').append(value - head * 40);
            first = false;
          } else {
            out.append('.').append(value);
          }
          value = 0;
        }
      }
      return out.toString();
    }
  }

  private Der() {}

  /** The one element that {@code der} holds. */
  static Element read(byte[] der) {
    List<Element> all = elements(der);
    if (all.size() != 1) {
      throw new IllegalArgumentException("malformed key: expected one DER structure");
    }
    return all.get(0);
  }

  static List<Element> elements(byte[] der) {
    List<Element> out = new ArrayList<>();
    int i = 0;
    while (i < der.length) {
      if (i + 2 > der.length) {
        throw new IllegalArgumentException("malformed key: DER truncated");
      }
      int tag = der[i++] & 0xff;
      int length = der[i++] & 0xff;
      if (length >= 0x80) {
        int count = length & 0x7f;
        if (count == 0 || count > 3 || i + count > der.length) {
          throw new IllegalArgumentException("malformed key: bad DER length");
        }
        length = 0;
        for (int k = 0; k < count; k++) {
          length = (length << 8) | (der[i++] & 0xff);
        }
      }
      if (length > der.length - i) {
        throw new IllegalArgumentException("malformed key: DER truncated");
      }
      out.add(new Element(tag, Arrays.copyOfRange(der, i, i + length)));
      i += length;
    }
    return out;
  }
}
