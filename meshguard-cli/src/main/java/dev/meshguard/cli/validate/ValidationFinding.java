package dev.meshguard.cli.validate;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One `validate` finding as printed and as `-o json|yaml` gives it.
 *
 * @param document the 0-based index of the YAML document in the file
 * @param line the 1-based line where the document or field starts; 0 when unknown
 * @param field the field path inside the object (`spec.rules[0].to[0].operation.paths[1]`), empty
 *     for the whole document
 */
public record ValidationFinding(
    String file,
    int document,
    int line,
    String field,
    Severity severity,
    FindingCode code,
    String message) {

  /** `file:line: severity CODE field: message`, the form editors and CI annotations jump to. */
  public String text() {
    return file
        + ":"
        + line
        + ": "
        + severity.label()
        + " "
        + code.name()
        + ": "
        + (field.isEmpty() ? "" : field + ": ")
        + message;
  }

  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("file", file);
    m.put("document", document);
    m.put("line", line);
    m.put("field", field);
    m.put("severity", severity.label());
    m.put("code", code.name());
    m.put("message", message);
    return m;
  }
}
