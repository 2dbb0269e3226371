// MongoDB-compatible stand-in for machines with no mongod (tests, the `npm start` quickstart).
// Run as a single-file program, no build step:
//   java -cp <classpath from pom.xml> Launcher.java [--h2 <path/file.mv>] [--port N] [--oplog]
// The Node side (src/store/embedded-mongo.ts) waits for the READY line and owns this process's lifetime.
// It exits when stdin reaches EOF, so run it by hand from a terminal (or `sleep infinity | java ...`), not with
// stdin redirected from /dev/null.

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.MongoVersion;
import de.bwaldvogel.mongo.backend.QueryResult;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.wire.message.MongoMessage;
import de.bwaldvogel.mongo.wire.message.MongoQuery;
import io.netty.channel.Channel;

public class Launcher {

    static final String READY_PREFIX = "SWITCHBOARD_MONGO_READY port=";

    // The bundled ServerVersion values stop at wire 13 (5.0) and the ready-made mains report 8, while the
    // mongodb driver 7 behind mongoose 9 refuses anything below 9. Claiming 6.0 only changes what the handshake
    // advertises; the feature set stays that of mongo-java-server.
    static final MongoVersion MONGO_6_0 = new MongoVersion() {
        @Override
        public List<Integer> getVersionArray() {
            return List.of(6, 0, 0);
        }

        @Override
        public String toVersionString() {
            return "6.0.0";
        }

        @Override
        public int getWireVersion() {
            return 17;
        }
    };

    public static void main(String[] args) throws Exception {
        // Must happen before the first logger is created: the server logs every connection at INFO, and the
        // parent keeps only a short stderr tail for error messages. Overridable with -D for debugging.
        setDefaultProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        // Logs every failed command (a duplicate `create` from mongoose's syncIndexes, an unsupported aggregation
        // operator) at ERROR with a full stack trace, although the client already gets the error in the reply.
        setDefaultProperty("org.slf4j.simpleLogger.log.de.bwaldvogel.mongo.wire.MongoWireProtocolHandler", "off");

        String h2File = null;
        int port = 0;
        boolean oplog = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--h2" -> h2File = requireValue(args, ++i, "--h2");
                case "--port" -> port = Integer.parseInt(requireValue(args, ++i, "--port"));
                case "--oplog" -> oplog = true;
                default -> {
                    System.err.println("unknown argument: " + args[i]);
                    System.exit(2);
                }
            }
        }

        MongoBackend backend;
        if (h2File != null) {
            File parent = new File(h2File).getAbsoluteFile().getParentFile();
            if (parent != null && !parent.isDirectory() && !parent.mkdirs()) {
                throw new IOException("cannot create directory " + parent);
            }
            backend = new de.bwaldvogel.mongo.backend.h2.H2Backend(h2File);
        } else {
            backend = new de.bwaldvogel.mongo.backend.memory.MemoryBackend();
        }
        backend.version(MONGO_6_0);

        MongoServer server = new MongoServer(new SnapshotBackend(backend));
        if (oplog) {
            server.enableOplog();
        }

        // One hook serves SIGTERM, SIGINT and the System.exit from the stdin watcher. shutdownNow() also closes
        // the backend, which for H2 commits and closes the MVStore, so the last writes reach the file.
        Runtime.getRuntime().addShutdownHook(new Thread(server::shutdownNow, "switchboard-mongo-shutdown"));

        // Loopback only: the stand-in has no authentication.
        server.bind(new InetSocketAddress("127.0.0.1", port));
        InetSocketAddress address = server.getLocalAddress();

        watchStdin();

        System.out.println(READY_PREFIX + address.getPort());
        System.out.flush();

        // Netty's event loop threads are non-daemon and keep the JVM alive until the shutdown hook stops them.
    }

    // The parent holds our stdin as a pipe. When it dies, even by SIGKILL, the pipe closes and we see EOF,
    // so a crashed Node process never leaves an orphan JVM holding the port and the H2 file lock.
    private static void watchStdin() {
        Thread watcher = new Thread(() -> {
            InputStream in = System.in;
            byte[] buffer = new byte[256];
            try {
                while (in.read(buffer) >= 0) {
                    // Input carries no meaning; only its end does.
                }
            } catch (IOException e) {
                // A broken pipe means the same as EOF.
            }
            System.exit(0);
        }, "switchboard-mongo-stdin");
        watcher.setDaemon(true);
        watcher.start();
    }

    /**
     * Both backends hand the wire encoder the stored documents themselves, and updates rewrite those in place.
     * The encoder runs after the collection lock is released, so findOneAndUpdate with returnDocument 'after'
     * could return a later caller's value: 20 concurrent {$inc: 1} returned duplicates (the stored counter was
     * right, the replies were not). A find could likewise serialise a document mid-update. Running every request
     * under one lock and replying with a deep copy taken inside it makes each reply a consistent snapshot, as on
     * real MongoDB. Nothing in mongo-java-server blocks inside a request (no awaitData waits), so one lock cannot
     * stall other clients for long; it does serialise all requests, which an in-memory test server can afford.
     */
    static final class SnapshotBackend implements MongoBackend {
        private final MongoBackend delegate;
        private final Object lock = new Object();

        SnapshotBackend(MongoBackend delegate) {
            this.delegate = delegate;
        }

        @Override
        public Document handleMessage(MongoMessage message) {
            synchronized (lock) {
                return snapshot(delegate.handleMessage(message));
            }
        }

        @Override
        public Document handleCommand(Channel channel, String database, String command, Document query) {
            synchronized (lock) {
                return snapshot(delegate.handleCommand(channel, database, command, query));
            }
        }

        @Override
        public QueryResult handleQuery(MongoQuery query) {
            synchronized (lock) {
                QueryResult result = delegate.handleQuery(query);
                List<Document> copies = new ArrayList<>();
                for (Document document : result) {
                    copies.add(snapshot(document));
                }
                return new QueryResult(copies, result.getCursorId());
            }
        }

        @Override
        public void handleClose(Channel channel) {
            synchronized (lock) {
                delegate.handleClose(channel);
            }
        }

        @Override
        public void dropDatabase(String database) {
            synchronized (lock) {
                delegate.dropDatabase(database);
            }
        }

        @Override
        public Collection<Document> getCurrentOperations(MongoQuery query) {
            synchronized (lock) {
                return delegate.getCurrentOperations(query);
            }
        }

        @Override
        public Document getServerStatus() {
            synchronized (lock) {
                return snapshot(delegate.getServerStatus());
            }
        }

        // Waits for the request in flight, so the H2 store is never closed under a write.
        @Override
        public void close() {
            synchronized (lock) {
                delegate.close();
            }
        }

        @Override
        public void closeCursors(List<Long> cursorIds) {
            synchronized (lock) {
                delegate.closeCursors(cursorIds);
            }
        }

        @Override
        public Clock getClock() {
            return delegate.getClock();
        }

        @Override
        public void enableOplog() {
            synchronized (lock) {
                delegate.enableOplog();
            }
        }

        @Override
        public void disableOplog() {
            synchronized (lock) {
                delegate.disableOplog();
            }
        }

        @Override
        public MongoDatabase resolveDatabase(String database) {
            synchronized (lock) {
                return delegate.resolveDatabase(database);
            }
        }

        @Override
        public MongoBackend version(MongoVersion version) {
            delegate.version(version);
            return this;
        }

        private static Document snapshot(Document document) {
            return document == null ? null : document.cloneDeeply();
        }
    }

    private static void setDefaultProperty(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }

    private static String requireValue(String[] args, int index, String flag) {
        if (index >= args.length) {
            System.err.println(flag + " needs a value");
            System.exit(2);
        }
        return args[index];
    }
}
