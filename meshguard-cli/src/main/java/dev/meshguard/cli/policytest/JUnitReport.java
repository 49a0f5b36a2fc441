package dev.meshguard.cli.policytest;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

/**
 * JUnit XML as CI systems read it (the Ant/Surefire schema): one `testsuite` per test file, one
 * `testcase` per case, `failure` for a failed case and `error` for a file that could not run.
 */
public final class JUnitReport {
  private JUnitReport() {}

  public static void write(Path file, List<FileResult> results) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    try (OutputStream out = Files.newOutputStream(file)) {
      XMLStreamWriter x = XMLOutputFactory.newFactory().createXMLStreamWriter(out, "UTF-8");
      x.writeStartDocument("UTF-8", "1.0");
      x.writeCharacters("\n");
      long tests = 0;
      long failures = 0;
      long errors = 0;
      for (FileResult r : results) {
        tests += r.broken() != null ? 1 : r.cases().size();
        failures += r.failed();
        errors += r.broken() != null ? 1 : 0;
      }
      x.writeStartElement("testsuites");
      x.writeAttribute("name", "meshguard test");
      x.writeAttribute("tests", Long.toString(tests));
      x.writeAttribute("failures", Long.toString(failures));
      x.writeAttribute("errors", Long.toString(errors));
      x.writeCharacters("\n");
      for (FileResult r : results) {
        suite(x, r);
      }
      x.writeEndElement();
      x.writeCharacters("\n");
      x.writeEndDocument();
      x.close();
    } catch (XMLStreamException e) {
      throw new IOException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  private static void suite(XMLStreamWriter x, FileResult r) throws XMLStreamException {
    double seconds = r.cases().stream().mapToDouble(CaseResult::seconds).sum();
    x.writeCharacters("  ");
    x.writeStartElement("testsuite");
    x.writeAttribute("name", clean(r.file()));
    x.writeAttribute("tests", Integer.toString(r.broken() != null ? 1 : r.cases().size()));
    x.writeAttribute("failures", Long.toString(r.failed()));
    x.writeAttribute("errors", r.broken() != null ? "1" : "0");
    x.writeAttribute("skipped", "0");
    x.writeAttribute("time", time(seconds));
    x.writeCharacters("\n");
    if (r.broken() != null) {
      x.writeCharacters("    ");
      x.writeStartElement("testcase");
      x.writeAttribute("name", "test file");
      x.writeAttribute("classname", clean(r.file()));
      x.writeAttribute("time", "0");
      x.writeStartElement("error");
      x.writeAttribute("message", clean(r.broken()));
      x.writeAttribute("type", "BrokenTestFile");
      x.writeCharacters(clean(r.broken()));
      x.writeEndElement();
      x.writeEndElement();
      x.writeCharacters("\n");
    }
    for (CaseResult c : r.cases()) {
      x.writeCharacters("    ");
      x.writeStartElement("testcase");
      x.writeAttribute("name", clean(c.name()));
      x.writeAttribute("classname", clean(r.file()));
      x.writeAttribute("time", time(c.seconds()));
      if (!c.passed()) {
        x.writeStartElement("failure");
        x.writeAttribute("message", clean(c.summary()));
        x.writeAttribute("type", "PolicyTestFailure");
        x.writeCharacters(clean(c.failureText()));
        x.writeEndElement();
      }
      x.writeEndElement();
      x.writeCharacters("\n");
    }
    x.writeCharacters("  ");
    x.writeEndElement();
    x.writeCharacters("\n");
  }

  private static String time(double seconds) {
    return String.format(Locale.ROOT, "%.3f", seconds);
  }

  /** XML 1.0 cannot carry most control characters, even escaped: they become `?`. */
  static String clean(String s) {
    StringBuilder out = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean allowed =
          c == '\t'
              || c == '\n'
              || c == '\r'
              || (c >= 0x20 && c <= 0xD7FF)
              || (c >= 0xE000 && c <= 0xFFFD)
              || Character.isSurrogate(c);
      out.append(allowed ? c : '?');
    }
    return out.toString();
  }
}
