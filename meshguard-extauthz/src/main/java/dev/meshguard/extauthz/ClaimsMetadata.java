package dev.meshguard.extauthz;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ListValue;
import com.google.protobuf.NullValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A token's claims as a protobuf Struct, the way Envoy's jwt_authn writes a payload to metadata.
 */
final class ClaimsMetadata {
  private ClaimsMetadata() {}

  /** The claims named in {@code names} (`*`: all of them) that the payload has. */
  static Struct select(ObjectNode payload, List<String> names) {
    Struct.Builder out = Struct.newBuilder();
    boolean all = names.contains("*");
    Iterator<Map.Entry<String, JsonNode>> fields = payload.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> f = fields.next();
      if (all || names.contains(f.getKey())) {
        out.putFields(f.getKey(), value(f.getValue()));
      }
    }
    return out.build();
  }

  private static Value value(JsonNode n) {
    if (n.isObject()) {
      Struct.Builder s = Struct.newBuilder();
      n.fields().forEachRemaining(e -> s.putFields(e.getKey(), value(e.getValue())));
      return Value.newBuilder().setStructValue(s).build();
    }
    if (n.isArray()) {
      ListValue.Builder l = ListValue.newBuilder();
      n.forEach(e -> l.addValues(value(e)));
      return Value.newBuilder().setListValue(l).build();
    }
    if (n.isBoolean()) {
      return Value.newBuilder().setBoolValue(n.booleanValue()).build();
    }
    if (n.isNumber()) {
      return Value.newBuilder().setNumberValue(n.doubleValue()).build();
    }
    if (n.isNull()) {
      return Value.newBuilder().setNullValue(NullValue.NULL_VALUE).build();
    }
    return Value.newBuilder().setStringValue(n.asText()).build();
  }
}
