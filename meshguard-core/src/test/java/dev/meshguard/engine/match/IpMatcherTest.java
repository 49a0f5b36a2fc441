package dev.meshguard.engine.match;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class IpMatcherTest {

  @ParameterizedTest(name = "{0} ~ {1} = {2}")
  @CsvSource(
      delimiter = '|',
      value = {
        "10.0.0.0/16 | 10.0.0.1 | true",
        "10.0.0.0/16 | 10.0.255.255 | true",
        "10.0.0.0/16 | 10.1.0.0 | false",
        "10.0.5.7/16 | 10.0.0.1 | true",
        "1.2.3.4 | 1.2.3.4 | true",
        "1.2.3.4 | 1.2.3.5 | false",
        "0.0.0.0/0 | 255.255.255.255 | true",
        "0.0.0.0/0 | ::1 | false",
        "1.2.3.4/31 | 1.2.3.5 | true",
        "1.2.3.4/31 | 1.2.3.6 | false",
        "::1 | ::1 | true",
        "::1 | 0:0:0:0:0:0:0:1 | true",
        "::1 | ::2 | false",
        "::1 | 127.0.0.1 | false",
        "2001:db8::/32 | 2001:db8:ffff::1 | true",
        "2001:db8::/32 | 2001:DB8::1 | true",
        "2001:db8::/32 | 2001:db9::1 | false",
        "::/0 | 2001:db8::1 | true",
        "::/0 | 1.2.3.4 | false",
        "2001:db8::/127 | 2001:db8::1 | true",
        "2001:db8::/127 | 2001:db8::2 | false",
        // request side: mapped addresses compare as IPv4, zones are ignored
        "1.2.3.0/24 | ::ffff:1.2.3.9 | true",
        "1.2.3.0/24 | ::FFFF:102:309 | true",
        "fe80::/10 | fe80::1%eth0 | true",
        // request side: not an address
        "1.2.3.4 | 1.2.3.4:80 | false",
        "1.2.3.4 | [::1] | false",
        "1.2.3.4 | localhost | false",
        "1.2.3.4 | 01.2.3.4 | false",
        "1.2.3.4 | '' | false",
      })
  void matching(String value, String ip, boolean expected) {
    assertThat(IpMatcher.parse(value).matches(ip)).isEqualTo(expected);
  }

  @Test
  void nullNeverMatches() {
    assertThat(IpMatcher.parse("0.0.0.0/0").matches(null)).isFalse();
  }

  @ParameterizedTest(name = "{0} is enforced as {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "10.0.0.0/16 | 10.0.0.0/16",
        "10.9.8.7/8 | 10.0.0.0/8",
        "1.2.3.4 | 1.2.3.4/32",
        "::1 | 0:0:0:0:0:0:0:1/128",
        "2001:db8::1/32 | 2001:db8:0:0:0:0:0:0/32",
        // IPv4-mapped: istiod writes the IPv4 address, Envoy caps the length at 32
        "::ffff:1.2.3.4 | 1.2.3.4/32",
        "::ffff:102:304 | 1.2.3.4/32",
        "::ffff:1.2.3.0/120 | 1.2.3.0/32",
        "::ffff:1.2.3.4/16 | 1.2.0.0/16",
        // istiod: a single value containing a dot gets /32, even an IPv6 one
        "::1.2.3.4 | 0:0:0:0:0:0:0:0/32",
        "64:ff9b::1.2.3.4 | 64:ff9b:0:0:0:0:0:0/32",
        // ... but not as a CIDR, which keeps its length
        "64:ff9b::1.2.3.0/120 | 64:ff9b:0:0:0:0:102:300/120",
      })
  void effectiveRange(String value, String effective) {
    assertThat(IpMatcher.parse(value).effectiveCidr()).isEqualTo(effective);
  }

  @Test
  void istiodDotRuleWidensEmbeddedIpv4Addresses() {
    IpMatcher nat64 = IpMatcher.parse("64:ff9b::1.2.3.4");
    assertThat(nat64.matches("64:ff9b::1.2.3.4")).isTrue();
    assertThat(nat64.matches("64:ff9b::8.8.8.8")).isTrue();
    assertThat(IpMatcher.parse("::1.2.3.4").matches("::1")).isTrue();
  }

  @Test
  void ipv4MappedValuesMatchIpv4Clients() {
    IpMatcher mapped = IpMatcher.parse("::ffff:10.0.0.0/104");
    assertThat(mapped.isIpv4()).isTrue();
    assertThat(mapped.matches("10.0.0.0")).isTrue();
    assertThat(mapped.matches("10.0.0.1")).isFalse();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "1.2.3",
        "1.2.3.4.5",
        "1.2.3.256",
        "01.2.3.4",
        "1.2.3.04",
        "1..3.4",
        "1.2.3.4 ",
        " 1.2.3.4",
        "+1.2.3.4",
        "0x1.2.3.4",
        "localhost",
        "example.com",
        "::1::",
        "1:::2",
        ":1::2",
        "1::2:",
        "12345::",
        "1:2:3:4:5:6:7:8:9",
        "1:2:3:4:5:6:7",
        "1:2:3:4:5:6:7::8",
        "1:2:3:4:5:6::1.2.3.4",
        "1.2.3.4::",
        "::1.2.3",
        "::1.2.3.4:5",
        "fe80::1%eth0",
        "[::1]",
        "\uff11.2.3.4",
        "\u0661::",
      })
  void rejectsBadAddresses(String value) {
    assertThatThrownBy(() -> IpMatcher.parse(value))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("bad IP address `" + value + "`");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "10.0.0.0/33",
        "10.0.0.0/-1",
        "10.0.0.0/+8",
        "10.0.0.0/08",
        "10.0.0.0/",
        "10.0.0.0/ab",
        "10.0.0.0//16",
        "10.0.0.0/16/8",
        "/16",
        "10.0.0/8",
        "::/129",
        "::/0128",
        "fe80::%eth0/64",
        "2001:db8::/ 32",
      })
  void rejectsBadRanges(String value) {
    assertThatThrownBy(() -> IpMatcher.parse(value))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("bad CIDR range `" + value + "`: ");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "0.0.0.0",
        "255.255.255.255",
        "::",
        "::1",
        "1::",
        "1:2:3:4:5:6:7:8",
        "1:2:3:4:5:6:7::",
        "::2:3:4:5:6:7:8",
        "0001:0002::000a",
        "ABCD:ef01::",
        "::ffff:1.2.3.4",
        "1:2:3:4:5:6:1.2.3.4",
        "10.0.0.0/0",
        "10.0.0.0/32",
        "::/128",
      })
  void acceptsGoNetipSyntax(String value) {
    assertThat(IpMatcher.parse(value)).isNotNull();
  }
}
