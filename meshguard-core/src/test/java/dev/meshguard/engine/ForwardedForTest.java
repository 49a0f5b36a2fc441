package dev.meshguard.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ForwardedForTest {
  @Test
  void withoutTrustedHopsTheClientIsThePeer() {
    assertThat(ForwardedFor.clientAddress("10.0.0.1", List.of("1.2.3.4"), 0)).isEqualTo("10.0.0.1");
  }

  @Test
  void oneTrustedHopTakesTheLastForwardedAddress() {
    assertThat(ForwardedFor.clientAddress("10.0.0.1", List.of("1.1.1.1, 2.2.2.2"), 1))
        .isEqualTo("2.2.2.2");
  }

  @Test
  void twoTrustedHopsTakeTheSecondFromTheRightAcrossRepeatedHeaders() {
    assertThat(ForwardedFor.clientAddress("10.0.0.1", List.of("1.1.1.1", "2.2.2.2"), 2))
        .isEqualTo("1.1.1.1");
  }

  @Test
  void tooFewAddressesFallBackToThePeer() {
    assertThat(ForwardedFor.clientAddress("10.0.0.1", List.of("1.1.1.1"), 3)).isEqualTo("10.0.0.1");
    assertThat(ForwardedFor.clientAddress("10.0.0.1", List.of(), 1)).isEqualTo("10.0.0.1");
  }

  @Test
  void anEntryThatIsNotAnAddressFallsBackToThePeer() {
    assertThat(ForwardedFor.clientAddress("10.0.0.1", List.of("unknown"), 1)).isEqualTo("10.0.0.1");
    assertThat(ForwardedFor.clientAddress("10.0.0.1", List.of("1.2.3.0/24"), 1))
        .isEqualTo("10.0.0.1");
    assertThat(ForwardedFor.clientAddress("10.0.0.1", List.of("2001:db8::1"), 1))
        .isEqualTo("2001:db8::1");
  }
}
