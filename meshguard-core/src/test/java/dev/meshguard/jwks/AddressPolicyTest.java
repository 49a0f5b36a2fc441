package dev.meshguard.jwks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AddressPolicyTest {
  private final AddressPolicy strict = new AddressPolicy(false, List.of());

  @ParameterizedTest
  @ValueSource(
      strings = {
        "169.254.169.254", // AWS, GCP, Azure metadata
        "169.254.0.1",
        "169.254.170.2", // ECS task metadata
        "fe80::1",
        "fd00:ec2::254", // AWS metadata over IPv6
        "100.100.100.200", // Alibaba Cloud metadata
        "::ffff:169.254.169.254", // IPv4-mapped
        "0.0.0.0",
        "::"
      })
  void refusesLinkLocalMetadataAndUnspecifiedAddresses(String address) throws Exception {
    assertThat(strict.refuseAddress(InetAddress.getByName(address))).isNotNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {"127.0.0.1", "::1", "10.1.2.3", "192.168.0.10", "172.16.0.1", "8.8.8.8"})
  void allowsLoopbackPrivateAndPublicAddresses(String address) throws Exception {
    assertThat(strict.refuseAddress(InetAddress.getByName(address))).isNull();
  }

  @Test
  void allowLinkLocalLiftsTheLinkLocalAndMetadataRefusals() throws Exception {
    AddressPolicy lax = new AddressPolicy(true, List.of());
    assertThat(lax.refuseAddress(InetAddress.getByName("169.254.169.254"))).isNull();
    assertThat(lax.refuseAddress(InetAddress.getByName("fd00:ec2::254"))).isNull();
    assertThat(lax.refuseHost("metadata.google.internal")).isNull();
    assertThat(lax.refuseAddress(InetAddress.getByName("0.0.0.0"))).isNotNull();
  }

  @Test
  void refusesMetadataHostNamesWithoutLookingThemUp() {
    assertThat(strict.refuseHost("metadata.google.internal")).contains("metadata");
    assertThat(strict.refuseHost("METADATA.google.internal.")).contains("metadata");
    assertThat(strict.refuseHost("jwks.example.com")).isNull();
  }

  @Test
  void blockedCidrsAreRefused() throws Exception {
    AddressPolicy policy = new AddressPolicy(false, List.of("10.0.0.0/8", "2001:db8::/32"));
    assertThat(policy.refuseAddress(InetAddress.getByName("10.200.0.1")))
        .contains("blocked range `10.0.0.0/8`");
    assertThat(policy.refuseAddress(InetAddress.getByName("2001:db8::5"))).isNotNull();
    assertThat(policy.refuseAddress(InetAddress.getByName("11.0.0.1"))).isNull();
  }

  @Test
  void badCidrsAreRejectedWhenOptionsAreBuilt() {
    assertThatThrownBy(
            () ->
                RemoteJwksOptions.defaults().toBuilder()
                    .blockedCidrs(List.of("10.0.0.0/33"))
                    .build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () ->
                RemoteJwksOptions.defaults().toBuilder()
                    .blockedCidrs(List.of("example.com/8"))
                    .build())
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void literalNeverResolvesNames() {
    assertThat(AddressPolicy.literal("localhost")).isNull();
    assertThat(AddressPolicy.literal("1.2.3")).isNull();
    assertThat(AddressPolicy.literal("[::1]")).isNotNull();
    assertThat(AddressPolicy.literal("11.11.0.1")).isNotNull();
  }
}
