package dev.meshguard.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class UpstreamTargetTest {
  @Test
  void parsesSchemeHostAndDefaultPorts() {
    assertThat(UpstreamTarget.parse("http://svc.ns:9080"))
        .isEqualTo(new UpstreamTarget("http", "svc.ns", 9080));
    assertThat(UpstreamTarget.parse("HTTP://a/")).isEqualTo(new UpstreamTarget("http", "a", 80));
    assertThat(UpstreamTarget.parse("https://a")).isEqualTo(new UpstreamTarget("https", "a", 443));
    assertThat(UpstreamTarget.parse("http://[::1]:81"))
        .isEqualTo(new UpstreamTarget("http", "::1", 81));
    assertThat(UpstreamTarget.parse("http://[::1]:81").toString()).isEqualTo("http://[::1]:81");
  }

  @Test
  void refusesWhatWouldChangeThePathOrIsNotHttp() {
    assertThatThrownBy(() -> UpstreamTarget.parse("http://a/prefix")).hasMessageContaining("path");
    assertThatThrownBy(() -> UpstreamTarget.parse("http://a/?q")).hasMessageContaining("query");
    assertThatThrownBy(() -> UpstreamTarget.parse("http://u:p@a")).hasMessageContaining("user");
    assertThatThrownBy(() -> UpstreamTarget.parse("ftp://a")).hasMessageContaining("http://");
    assertThatThrownBy(() -> UpstreamTarget.parse("localhost:8080"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> UpstreamTarget.parse("http://"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
