package dev.tracewire.searchserver;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Starts one embedded single-node Elasticsearch 7.10.x or OpenSearch 2.x server with HTTP on 127.0.0.1.
 *
 * <p>Why reflection: the plugin-accepting {@code Node} constructor is protected and lives in
 * {@code org.elasticsearch.node} or {@code org.opensearch.node} depending on the engine. Calling it
 * reflectively (everything runs in the unnamed module, so {@code setAccessible} is allowed) lets
 * one tiny class with no compile-time dependency serve both engines; the Maven profile only picks
 * the jars on the run-time class path.
 *
 * <p>Protocol with the Node.js harness (test/support/search-server.ts): the only lines this class
 * writes to the ORIGINAL stdout are {@code READY http://127.0.0.1:PORT} once HTTP is bound and
 * {@code STOPPED} after a clean shutdown; all server logging goes to stderr (log4j2.properties).
 * The JVM exits when stdin reaches EOF (the parent died or closed the pipe) or on SIGTERM/SIGINT.
 *
 * <p>Arguments: {@code --engine elasticsearch|opensearch} (required), {@code --port N} (0 or absent:
 * ephemeral), {@code --data DIR} (keep data there across restarts; default: inside the temporary home,
 * deleted on exit), {@code --no-stdin-watch} (do not exit on stdin EOF).
 *
 * <p>Cluster members (one JVM per node) add: {@code --seed-hosts 127.0.0.1:P1,127.0.0.1:P2,...}
 * (replaces {@code discovery.type=single-node}), {@code --initial-master-nodes a,b,c},
 * {@code --node-name NAME}, {@code --cluster-name NAME}, {@code --transport-port N} (fixed, so the
 * others can find a restarted node at the same address), {@code --processors N} (thread pool sizes)
 * and {@code --home DIR} (kept on exit, so that a node killed with SIGKILL leaves nothing the
 * caller cannot delete).
 */
public final class Launcher {
  private Launcher() {}

  public static void main(String[] args) throws Exception {
    // Captured before any server class loads: the server may redirect System.out into its logger.
    final PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true, "UTF-8");
    Map<String, String> opts = parseArgs(args);
    String engine = opts.getOrDefault("engine", "");
    final String pkg;
    if (engine.equals("elasticsearch")) {
      pkg = "org.elasticsearch";
    } else if (engine.equals("opensearch")) {
      pkg = "org.opensearch";
    } else {
      System.err.println("usage: Launcher --engine elasticsearch|opensearch [--port N] [--data DIR] [--no-stdin-watch]"
          + " [--node-name NAME] [--cluster-name NAME] [--transport-port N] [--seed-hosts H:P,...]"
          + " [--initial-master-nodes A,B,...] [--processors N] [--home DIR]");
      System.exit(2);
      return;
    }
    String port = opts.getOrDefault("port", "0");
    // A caller-owned home survives exit (and SIGKILL): the caller deletes it.
    final boolean ownHome = !opts.containsKey("home");
    final Path home = ownHome
        ? Files.createTempDirectory("tracewire-" + engine + "-")
        : Files.createDirectories(Paths.get(opts.get("home")).toAbsolutePath());
    final Path logs = Files.createDirectories(home.resolve("logs"));
    // A restarted node reuses its home: a ports file from the previous run must not be mistaken for this one's.
    Files.deleteIfExists(logs.resolve("http.ports"));
    Files.deleteIfExists(logs.resolve("transport.ports"));
    Path data = opts.containsKey("data") ? Paths.get(opts.get("data")).toAbsolutePath() : home.resolve("data");
    Files.createDirectories(data);

    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("path.home", home.toString());
    settings.put("path.data", data.toString());
    settings.put("path.logs", logs.toString());
    settings.put("cluster.name", opts.getOrDefault("cluster-name", "tracewire-test"));
    settings.put("node.name", opts.getOrDefault("node-name", "tracewire-" + engine));
    if (opts.containsKey("seed-hosts")) {
      // A member of a multi-node cluster on loopback: find the others on their transport ports.
      settings.put("discovery.seed_hosts", opts.get("seed-hosts"));
      if (opts.containsKey("initial-master-nodes")) {
        // Only read while the cluster bootstraps for the first time; a restarted node ignores it.
        settings.put("cluster.initial_master_nodes", opts.get("initial-master-nodes"));
      }
    } else {
      settings.put("discovery.type", "single-node");
    }
    settings.put("network.host", "127.0.0.1");
    settings.put("http.port", port);
    settings.put("transport.port", opts.getOrDefault("transport-port", "0"));
    if (opts.containsKey("processors")) {
      // Sizes the thread pools: three nodes on a 2-core machine need not start 3 x the default threads.
      settings.put("node.processors", opts.get("processors"));
    }
    // CI disks are often fuller than the default 85/90/95 % watermarks allow; shards must still allocate.
    settings.put("cluster.routing.allocation.disk.threshold_enabled", "false");
    // A 512 MB heap under _bulk would otherwise trip the real-memory parent breaker spuriously.
    settings.put("indices.breaker.total.use_real_memory", "false");
    // Written atomically by Node.start() after HTTP is bound: our source of the real port when --port 0.
    settings.put("node.portsfile", "true");

    final Object node;
    try {
      node = createNode(pkg, settings);
      invoke(node, "start");
    } catch (Throwable e) {
      Throwable cause = unwrap(e);
      System.err.println("FAILED to start " + engine + ": " + cause);
      cause.printStackTrace();
      if (ownHome) deleteTree(home);
      out.println("FAILED " + cause.toString().replace('\n', ' '));
      System.exit(1);
      return;
    }

    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        invoke(node, "close");
        Method awaitClose = node.getClass().getMethod("awaitClose", long.class, TimeUnit.class);
        awaitClose.invoke(node, 10L, TimeUnit.SECONDS);
      } catch (Throwable e) {
        System.err.println("error while stopping: " + unwrap(e));
      }
      if (ownHome) deleteTree(home);
      out.println("STOPPED");
    }, "tracewire-shutdown"));

    String httpAddress = readPortsFile(logs.resolve("http.ports"));
    out.println("READY http://" + httpAddress);

    if (!opts.containsKey("no-stdin-watch")) {
      Thread watch = new Thread(() -> {
        try (InputStream in = System.in) {
          byte[] buf = new byte[256];
          while (in.read(buf) >= 0) {
            // Input is ignored; only EOF matters.
          }
        } catch (IOException ignored) {
          // A broken pipe means the parent is gone, same as EOF.
        }
        System.exit(0);
      }, "tracewire-stdin-watch");
      watch.setDaemon(true);
      watch.start();
    }
    // Keep main alive; the node's threads are daemons in some versions.
    Thread.currentThread().join();
  }

  private static Object createNode(String pkg, Map<String, String> settings) throws Exception {
    Class<?> settingsClass = Class.forName(pkg + ".common.settings.Settings");
    Object builder = settingsClass.getMethod("builder").invoke(null);
    Method put = builder.getClass().getMethod("put", String.class, String.class);
    for (Map.Entry<String, String> e : settings.entrySet()) {
      put.invoke(builder, e.getKey(), e.getValue());
    }
    Object built = builder.getClass().getMethod("build").invoke(builder);

    Class<?> preparer = Class.forName(pkg + ".node.InternalSettingsPreparer");
    Method prepare = preparer.getMethod("prepareEnvironment", settingsClass, Map.class, Path.class, Supplier.class);
    Supplier<String> nodeName = () -> settings.get("node.name");
    Object env = prepare.invoke(null, built, Map.of(), null, nodeName);

    List<Class<?>> plugins = new ArrayList<>();
    String[][] pluginNames = {
      // {2.x/7.x class, 3.x renamed class}; the first one present wins. Netty4 is mandatory (HTTP).
      {".transport.Netty4Plugin", ".transport.Netty4ModulePlugin"},
      {".analysis.common.CommonAnalysisPlugin", ".analysis.common.CommonAnalysisModulePlugin"},
      {".index.mapper.MapperExtrasPlugin", ".index.mapper.MapperExtrasModulePlugin"},
      {".index.reindex.ReindexPlugin", ".index.reindex.ReindexModulePlugin"},
      {".script.mustache.MustachePlugin", ".script.mustache.MustacheModulePlugin"},
    };
    for (String[] candidates : pluginNames) {
      Class<?> found = null;
      for (String c : candidates) {
        try {
          found = Class.forName(pkg + c);
          break;
        } catch (ClassNotFoundException ignored) {
          // try the next name
        }
      }
      if (found != null) {
        plugins.add(found);
      } else if (candidates[0].contains("Netty4")) {
        throw new IllegalStateException("transport-netty4 plugin missing from the class path");
      } else {
        System.err.println("plugin not on class path, skipped: " + pkg + candidates[0]);
      }
    }

    Class<?> nodeClass = Class.forName(pkg + ".node.Node");
    Class<?> envClass = Class.forName(pkg + ".env.Environment");
    Constructor<?> ctor = nodeClass.getDeclaredConstructor(envClass, Collection.class, boolean.class);
    ctor.setAccessible(true);
    return ctor.newInstance(env, plugins, true);
  }

  private static String readPortsFile(Path file) throws Exception {
    // Node.start() writes it before returning; poll briefly anyway in case a version writes it later.
    for (int i = 0; i < 200; i++) {
      if (Files.exists(file)) {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (String line : lines) {
          String l = line.trim();
          if (l.startsWith("127.0.0.1:")) return l;
        }
        if (!lines.isEmpty()) return lines.get(0).trim();
      }
      Thread.sleep(50);
    }
    throw new IllegalStateException("no ports file at " + file);
  }

  private static Map<String, String> parseArgs(String[] args) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (!a.startsWith("--")) continue;
      String key = a.substring(2);
      int eq = key.indexOf('=');
      if (eq >= 0) {
        m.put(key.substring(0, eq), key.substring(eq + 1));
      } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
        m.put(key, args[++i]);
      } else {
        m.put(key, "true");
      }
    }
    return m;
  }

  private static Object invoke(Object target, String method) throws Exception {
    return target.getClass().getMethod(method).invoke(target);
  }

  private static Throwable unwrap(Throwable e) {
    while (e instanceof InvocationTargetException && e.getCause() != null) e = e.getCause();
    return e;
  }

  private static void deleteTree(Path root) {
    if (!Files.exists(root)) return;
    try (Stream<Path> walk = Files.walk(root)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      System.err.println("could not delete " + root + ": " + e);
    }
  }
}
