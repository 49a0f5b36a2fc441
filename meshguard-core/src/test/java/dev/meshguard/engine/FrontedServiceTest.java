package dev.meshguard.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class FrontedServiceTest {
  @Test
  void aBareNameIsEitherKind() {
    FrontedService s = FrontedService.parse("httpbin");
    assertThat(s).isEqualTo(new FrontedService(FrontedService.Kind.EITHER, "httpbin"));
    assertThat(s.isService("httpbin")).isTrue();
    assertThat(s.isServiceEntry("httpbin")).isTrue();
    assertThat(s.isService("other")).isFalse();
  }

  @Test
  void aKindNarrowsIt() {
    FrontedService service = FrontedService.parse("Service/httpbin");
    assertThat(service.isService("httpbin")).isTrue();
    assertThat(service.isServiceEntry("httpbin")).isFalse();
    FrontedService entry = FrontedService.parse("ServiceEntry/httpbin");
    assertThat(entry.isService("httpbin")).isFalse();
    assertThat(entry.isServiceEntry("httpbin")).isTrue();
    assertThat(entry).hasToString("ServiceEntry/httpbin");
  }

  @Test
  void otherFormsAreUsageErrors() {
    assertThatThrownBy(() -> FrontedService.parse("Gateway/httpbin"))
        .hasMessageContaining("must be Service or ServiceEntry");
    assertThatThrownBy(() -> FrontedService.parse("Service/")).hasMessageContaining("NAME");
    assertThatThrownBy(() -> FrontedService.parse("")).hasMessageContaining("NAME");
    assertThatThrownBy(() -> FrontedService.parse("Service/a/b")).hasMessageContaining("NAME");
  }
}
