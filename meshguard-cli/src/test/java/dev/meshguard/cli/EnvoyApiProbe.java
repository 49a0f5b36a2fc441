package dev.meshguard.cli;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Message;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import io.envoyproxy.envoy.service.auth.v3.ExternalAuthProto;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Touches every class an ext_authz Check call can need, the way protobuf itself reaches them. Run
 * by {@link ShadedEnvoyApiIT} in a class loader that sees only the shipped jar, so a class the
 * shade filter left out fails here instead of in a user's mesh.
 *
 * <p>Generated code loads lazily: parsing a request touches a message's descriptor only when a map
 * field (`headers`, `context_extensions`) needs its entry type, and that initialises the outer
 * class of the `.proto` file, which initialises those of every file it imports (annotations
 * included). So this walks both: every imported file's descriptor, and every message type a
 * CheckRequest or CheckResponse can carry, with its field accessors (which load the Java types of
 * all fields, enums included).
 */
public final class EnvoyApiProbe {
  private EnvoyApiProbe() {}

  /** `file NAME` for every `.proto` file reached and `message NAME` for every message type. */
  public static List<String> walk() {
    Set<String> seen = new TreeSet<>();
    Deque<FileDescriptor> files = new ArrayDeque<>();
    files.add(ExternalAuthProto.getDescriptor());
    while (!files.isEmpty()) {
      FileDescriptor f = files.pop();
      if (seen.add("file " + f.getName())) {
        files.addAll(f.getDependencies());
      }
    }
    messages(CheckRequest.getDefaultInstance(), seen);
    messages(CheckResponse.getDefaultInstance(), seen);
    return List.copyOf(seen);
  }

  private static void messages(Message message, Set<String> seen) {
    if (!seen.add("message " + message.getDescriptorForType().getFullName())) {
      return;
    }
    Message.Builder builder = message.newBuilderForType();
    for (FieldDescriptor field : message.getDescriptorForType().getFields()) {
      // through the accessor table, which loads the Java types of the message's fields
      var unused = message.getField(field);
      if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
        messages(builder.newBuilderForField(field).getDefaultInstanceForType(), seen);
      }
    }
  }
}
