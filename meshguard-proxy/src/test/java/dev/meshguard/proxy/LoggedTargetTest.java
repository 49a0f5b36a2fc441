package dev.meshguard.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Token values never reach the access log, whichever query parameter carried them. */
class LoggedTargetTest {

  @Test
  void accessTokenIsRedactedWithoutAConfiguration() {
    assertThat(LoggedTarget.redact("/a?access_token=eyJ.x.y&b=1", null))
        .isEqualTo("/a?access_token=REDACTED&b=1");
    assertThat(LoggedTarget.redact("/a?b=1&access_token=eyJ", null))
        .isEqualTo("/a?b=1&access_token=REDACTED");
    assertThat(LoggedTarget.redact("/a?access_token=1&access_token=2", null))
        .isEqualTo("/a?access_token=REDACTED&access_token=REDACTED");
  }

  @Test
  void namesAreComparedPercentDecodedAsEnvoysExtractorReadsThem() {
    assertThat(LoggedTarget.redact("/a?acc%65ss_token=eyJ", null))
        .isEqualTo("/a?acc%65ss_token=REDACTED");
    assertThat(LoggedTarget.redact("/a?access_tokens=keep&xaccess_token=keep", null))
        .isEqualTo("/a?access_tokens=keep&xaccess_token=keep");
  }

  @Test
  void aFragmentCannotSmuggleAValuePastTheRedaction() {
    assertThat(LoggedTarget.redact("/a?x=1#&access_token=eyJ", null))
        .isEqualTo("/a?x=1#&access_token=REDACTED");
    assertThat(LoggedTarget.redact("http://h/a?access_token=eyJ#f", null))
        .isEqualTo("http://h/a?access_token=REDACTED#f");
  }

  @Test
  void targetsWithoutAQueryAreUnchanged() {
    assertThat(LoggedTarget.redact("/a/access_token=eyJ", null)).isEqualTo("/a/access_token=eyJ");
    assertThat(LoggedTarget.redact(null, null)).isNull();
    assertThat(LoggedTarget.redact("/a?", null)).isEqualTo("/a?");
    assertThat(LoggedTarget.redact("/a?access_token", null)).isEqualTo("/a?access_token");
  }
}
