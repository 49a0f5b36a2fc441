package dev.meshguard.engine.match;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.UnknownHostException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * IpMatcher against {@link InetAddress} byte comparison. InetAddress is only given literals built
 * here from random bytes, so no name is ever resolved. Literals that trip istiod's quirks
 * (IPv4-mapped or dotted IPv6 values) are left to the example tests.
 */
class IpMatcherPropertiesTest {

  /** A range and a candidate near it, as bytes and as literal text. */
  static final class Case {
    private final byte[] network;
    private final int prefix;
    private final byte[] candidate;
    private final String networkText;
    private final String candidateText;

    Case(byte[] network, int prefix, byte[] candidate, String networkText, String candidateText) {
      this.network = network.clone();
      this.prefix = prefix;
      this.candidate = candidate.clone();
      this.networkText = networkText;
      this.candidateText = candidateText;
    }

    byte[] network() {
      return network.clone();
    }

    int prefix() {
      return prefix;
    }

    byte[] candidate() {
      return candidate.clone();
    }

    String networkText() {
      return networkText;
    }

    String candidateText() {
      return candidateText;
    }

    @Override
    public String toString() {
      return networkText + "/" + prefix + " ~ " + candidateText;
    }
  }

  @Provide
  Arbitrary<Case> cases() {
    Arbitrary<Boolean> v6 = Arbitraries.of(true, false);
    return v6.flatMap(
        isV6 -> {
          int size = isV6 ? 16 : 4;
          Arbitrary<byte[]> bytes = Arbitraries.bytes().array(byte[].class).ofSize(size);
          Arbitrary<Integer> prefix = Arbitraries.integers().between(0, size * 8);
          Arbitrary<Integer> flips = Arbitraries.integers().between(-1, size * 8 - 1);
          Arbitrary<Integer> style = Arbitraries.integers().between(0, 2);
          return Combinators.combine(bytes, prefix, flips, style)
              .as(
                  (network, length, flip, s) -> {
                    // Candidates near the network: equal, or one bit flipped.
                    byte[] candidate = network.clone();
                    if (flip >= 0) {
                      candidate[flip / 8] ^= (byte) (0x80 >> (flip % 8));
                    }
                    return new Case(
                        network, length, candidate, format(network, s), format(candidate, 2 - s));
                  });
        });
  }

  @Property(tries = 3000)
  void agreesWithInetAddressBytes(@ForAll("cases") Case c) throws UnknownHostException {
    Assume.that(!IpLiteral.isIpv4Mapped(c.network()) && !IpLiteral.isIpv4Mapped(c.candidate()));
    IpMatcher matcher = IpMatcher.parse(c.networkText() + "/" + c.prefix());
    byte[] network = InetAddress.getByName(c.networkText()).getAddress();
    byte[] candidate = InetAddress.getByName(c.candidateText()).getAddress();
    assertThat(matcher.matches(c.candidateText()))
        .as("%s/%d ~ %s", c.networkText(), c.prefix(), c.candidateText())
        .isEqualTo(samePrefix(network, candidate, c.prefix()));
  }

  @Property(tries = 1000)
  void singleAddressMatchesOnlyItself(@ForAll("cases") Case c) throws UnknownHostException {
    Assume.that(!IpLiteral.isIpv4Mapped(c.network()) && !IpLiteral.isIpv4Mapped(c.candidate()));
    IpMatcher matcher = IpMatcher.parse(c.networkText());
    boolean same =
        java.util.Arrays.equals(
            InetAddress.getByName(c.networkText()).getAddress(),
            InetAddress.getByName(c.candidateText()).getAddress());
    assertThat(matcher.matches(c.candidateText())).isEqualTo(same);
    assertThat(matcher.prefixLength()).isEqualTo(c.network().length * 8);
  }

  @Property(tries = 2000)
  void neverThrowsExceptIllegalArgument(@ForAll String value, @ForAll String candidate) {
    try {
      IpMatcher.parse(value).matches(candidate);
    } catch (IllegalArgumentException expected) {
      assertThat(expected.getMessage()).startsWith("bad ");
    }
    IpMatcher.parse("::/0").matches(candidate);
  }

  private static boolean samePrefix(byte[] a, byte[] b, int bits) {
    if (a.length != b.length) {
      return false;
    }
    for (int i = 0; i < bits; i++) {
      int mask = 0x80 >> (i % 8);
      if ((a[i / 8] & mask) != (b[i / 8] & mask)) {
        return false;
      }
    }
    return true;
  }

  /** Style 0: canonical-ish, 1: full with leading zeros, 2: compressed where possible. */
  private static String format(byte[] address, int style) {
    if (address.length == 4) {
      return (address[0] & 0xff)
          + "."
          + (address[1] & 0xff)
          + "."
          + (address[2] & 0xff)
          + "."
          + (address[3] & 0xff);
    }
    int[] groups = new int[8];
    for (int i = 0; i < 8; i++) {
      groups[i] = ((address[2 * i] & 0xff) << 8) | (address[2 * i + 1] & 0xff);
    }
    StringBuilder sb = new StringBuilder();
    if (style == 2) {
      // Compress the longest run of at least two zero groups.
      int bestStart = -1;
      int bestLength = 1;
      for (int i = 0; i < 8; ) {
        int j = i;
        while (j < 8 && groups[j] == 0) {
          j++;
        }
        if (j - i > bestLength) {
          bestStart = i;
          bestLength = j - i;
        }
        i = j == i ? i + 1 : j;
      }
      for (int i = 0; i < 8; i++) {
        if (i == bestStart) {
          sb.append(i == 0 ? "::" : ":");
          i += bestLength - 1;
          continue;
        }
        sb.append(Integer.toHexString(groups[i]));
        if (i < 7) {
          sb.append(':');
        }
      }
      return sb.toString();
    }
    for (int i = 0; i < 8; i++) {
      if (i > 0) {
        sb.append(':');
      }
      sb.append(style == 1 ? String.format("%04X", groups[i]) : Integer.toHexString(groups[i]));
    }
    return sb.toString();
  }
}
