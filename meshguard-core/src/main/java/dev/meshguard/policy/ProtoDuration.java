package dev.meshguard.policy;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The JSON form of `google.protobuf.Duration`, which is what istiod decodes `timeout` with: seconds
 * with up to nine fraction digits and an `s` suffix (`5s`, `1.5s`, `0.100s`). Go-style durations
 * such as `100ms` or `1m` pass the CRD's CEL check but fail this decoding, so istiod rejects them.
 */
final class ProtoDuration {
  private static final Pattern FORM = Pattern.compile("(-)?([0-9]+)(?:\\.([0-9]{1,9}))?s");

  /** The largest magnitude protobuf allows: 10,000 years. */
  private static final long MAX_SECONDS = 315_576_000_000L;

  private ProtoDuration() {}

  /** The duration, or null when {@code text} is not in protobuf JSON form. */
  static Duration parse(String text) {
    Matcher m = FORM.matcher(text);
    if (!m.matches() || m.group(2).length() > 12) {
      return null;
    }
    long seconds = Long.parseLong(m.group(2));
    if (seconds > MAX_SECONDS) {
      return null;
    }
    String fraction = m.group(3) == null ? "" : m.group(3);
    long nanos = fraction.isEmpty() ? 0 : Long.parseLong((fraction + "000000000").substring(0, 9));
    Duration duration = Duration.ofSeconds(seconds, nanos);
    return m.group(1) == null ? duration : duration.negated();
  }
}
