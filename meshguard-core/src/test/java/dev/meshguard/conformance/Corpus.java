package dev.meshguard.conformance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The conformance corpus: every `*.yaml` under the classpath folder `conformance/`, read from the
 * core module's test resources (a folder) or its test jar (when another module runs it).
 */
public final class Corpus {
  public static final String FOLDER = "conformance";

  private Corpus() {}

  /** Every case of every file, files in name order. */
  public static List<CorpusCase> load() {
    List<CorpusCase> cases = new ArrayList<>();
    for (Map.Entry<String, String> file : files()) {
      cases.addAll(CorpusReader.read(file.getKey(), file.getValue()));
    }
    return cases;
  }

  /** (file name, text) of every corpus file, in name order. */
  public static List<Map.Entry<String, String>> files() {
    URL url = Corpus.class.getClassLoader().getResource(FOLDER);
    if (url == null) {
      throw new IllegalStateException("classpath folder `" + FOLDER + "` not found");
    }
    try {
      URI uri = url.toURI();
      if (uri.getScheme().equals("jar")) {
        try (FileSystem fs = FileSystems.newFileSystem(uri, Map.of())) {
          return read(fs.getPath("/" + FOLDER));
        }
      }
      return read(Path.of(uri));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static List<Map.Entry<String, String>> read(Path folder) throws IOException {
    List<Map.Entry<String, String>> out = new ArrayList<>();
    try (Stream<Path> paths = Files.list(folder)) {
      for (Path p : paths.sorted().toList()) {
        String name = p.getFileName().toString();
        if (name.endsWith(".yaml")) {
          out.add(Map.entry(name, Files.readString(p, StandardCharsets.UTF_8)));
        }
      }
    }
    return out;
  }
}
