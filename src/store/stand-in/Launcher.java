// MongoDB-compatible stand-in for machines with no mongod (tests, the `npm start` quickstart).
// Run as a single-file program, no build step:
//   java -cp <classpath from pom.xml> Launcher.java [--h2 <path/file.mv>] [--port N] [--oplog] [--auth]
// The Node side (src/store/embedded-mongo.ts) waits for the READY line and owns this process's lifetime.
// It exits when stdin reaches EOF, so run it by hand from a terminal (or `sleep infinity | java ...`), not with
// stdin redirected from /dev/null. With --auth the first stdin line is `user:password`, the only credentials every
// connection must prove (SCRAM-SHA-256) before any other command: never on the command line, where `ps` shows it.

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

import org.h2.mvstore.MVStore;

import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.MongoVersion;
import de.bwaldvogel.mongo.backend.QueryResult;
import de.bwaldvogel.mongo.bson.BinData;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.exception.MongoServerError;
import de.bwaldvogel.mongo.wire.message.MongoMessage;
import de.bwaldvogel.mongo.wire.message.MongoQuery;
import io.netty.channel.Channel;
import io.netty.util.AttributeKey;

public class Launcher {

    static final String READY_PREFIX = "SWITCHBOARD_MONGO_READY port=";
    static final int EVENT_LOOP_THREADS = 64;
    static final int RETENTION_MS = 1_000;

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
        boolean auth = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--h2" -> h2File = requireValue(args, ++i, "--h2");
                case "--port" -> port = Integer.parseInt(requireValue(args, ++i, "--port"));
                case "--oplog" -> oplog = true;
                case "--auth" -> auth = true;
                default -> {
                    System.err.println("unknown argument: " + args[i]);
                    System.exit(2);
                }
            }
        }

        String credentials = null;
        if (auth) {
            credentials = readLine(System.in);
            if (credentials == null || credentials.indexOf(':') <= 0) {
                System.err.println("--auth needs a `user:password` line on stdin");
                System.exit(2);
            }
        }

        MongoBackend backend;
        MVStore mvStore = null;
        if (h2File != null) {
            mvStore = openOwnerOnly(Path.of(h2File).toAbsolutePath());
            backend = new de.bwaldvogel.mongo.backend.h2.H2Backend(mvStore);
        } else {
            backend = new de.bwaldvogel.mongo.backend.memory.MemoryBackend();
        }
        backend.version(MONGO_6_0);

        ScramSha256 scram = null;
        if (credentials != null) {
            int colon = credentials.indexOf(':');
            scram = new ScramSha256(credentials.substring(0, colon), credentials.substring(colon + 1));
        }
        MongoServer server = new MongoServer(new SnapshotBackend(backend, mvStore, scram));
        if (oplog) {
            server.enableOplog();
        }

        // One hook serves SIGTERM, SIGINT and the System.exit from the stdin watcher. shutdownNow() also closes
        // the backend, which for H2 commits and closes the MVStore, so the last writes reach the file.
        Runtime.getRuntime().addShutdownHook(new Thread(server::shutdownNow, "switchboard-mongo-shutdown"));

        // Loopback only, and with --auth nothing but the handshake is answered before a connection authenticated.
        // Each event-loop thread blocks while its request waits for the group commit, and with it every other
        // connection it serves; netty's default (two per core) would cap a commit group at four requests on a
        // two-core machine. 64 is about one per pooled connection of a gateway.
        server.bind(new InetSocketAddress("127.0.0.1", port), 1, EVENT_LOOP_THREADS);
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
     * Opens the H2 file for a store that commits and syncs itself (see SnapshotBackend.durably), with the file
     * owner-only: customers' conversations must not be readable by other accounts on the machine. H2 creates the
     * file with the process umask (0644 by default), so it is created here first, empty, which MVStore accepts.
     */
    static MVStore openOwnerOnly(Path file) throws IOException {
        Path parent = file.getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            Files.createDirectories(parent, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        if (!Files.exists(file)) {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } else {
            // A file from an older version (or copied in) may be world-readable.
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        }
        // No background writer: it would store whatever is in memory once a second, acknowledged or not, and
        // the explicit commit after each write is what makes an acknowledgement mean "on disk".
        MVStore store = new MVStore.Builder().fileName(file.toString()).autoCommitDisabled().open();
        // Freed chunks wait this long before their space is reused (default 45 s, "assuming the disk has flushed
        // by then"). Every commit here is fsynced before the next one starts, so a short margin suffices, and at a
        // chunk per commit 45 s of them is hundreds of megabytes.
        store.setRetentionTime(RETENTION_MS);
        return store;
    }

    /**
     * Both backends hand the wire encoder the stored documents themselves, and updates rewrite those in place.
     * The encoder runs after the collection lock is released, so findOneAndUpdate with returnDocument 'after'
     * could return a later caller's value: 20 concurrent {$inc: 1} returned duplicates (the stored counter was
     * right, the replies were not). A find could likewise serialise a document mid-update. Running every request
     * under one lock and replying with a deep copy taken inside it makes each reply a consistent snapshot, as on
     * real MongoDB. Nothing in mongo-java-server blocks inside a request (no awaitData waits), so one lock cannot
     * stall other clients for long; it does serialise all requests, which a single-process store can afford.
     *
     * With an H2 file, every request that changed something is committed and fsynced before its reply leaves
     * (the reply is the return value, which netty writes only after this returns), so an acknowledged write
     * survives a SIGKILL or a power cut (see durably). With credentials, a connection gets nothing but the handshake and the
     * SCRAM conversation until it has authenticated.
     */
    static final class SnapshotBackend implements MongoBackend {
        private final MongoBackend delegate;
        private final MVStore mvStore;
        private final ScramSha256 scram;
        private final Object lock = new Object();
        // Group commit: `changes` counts requests that left unsaved changes (guarded by `lock`); `synced` is the
        // count known to be on disk (guarded by `syncLock`, with `syncing` marking the round in progress).
        private long changes;
        private final ReentrantLock syncLock = new ReentrantLock();
        private final Condition syncDone = syncLock.newCondition();
        private long synced;
        private boolean syncing;
        private long lastCompaction = System.nanoTime();
        private static final long COMPACT_EVERY_MS = 2_000;
        private static final int COMPACT_TARGET_FILL_RATE = 60;
        private static final int COMPACT_WRITE_BYTES = 2 * 1024 * 1024;

        SnapshotBackend(MongoBackend delegate, MVStore mvStore, ScramSha256 scram) {
            this.delegate = delegate;
            this.mvStore = mvStore;
            this.scram = scram;
        }

        @Override
        public Document handleMessage(MongoMessage message) {
            if (scram != null) {
                Document reply = scram.intercept(message.getChannel(), firstKey(message.getDocument()), message.getDocument());
                if (reply != null) {
                    return reply;
                }
            }
            return durably(() -> snapshot(delegate.handleMessage(message)));
        }

        @Override
        public Document handleCommand(Channel channel, String database, String command, Document query) {
            if (scram != null) {
                Document reply = scram.intercept(channel, command, query);
                if (reply != null) {
                    return reply;
                }
            }
            return durably(() -> snapshot(delegate.handleCommand(channel, database, command, query)));
        }

        @Override
        public QueryResult handleQuery(MongoQuery query) {
            if (scram != null) {
                scram.requireAuthenticated(query.getChannel(), "find");
            }
            return durably(() -> {
                QueryResult result = delegate.handleQuery(query);
                List<Document> copies = new ArrayList<>();
                for (Document document : result) {
                    copies.add(snapshot(document));
                }
                return new QueryResult(copies, result.getCursorId());
            });
        }

        @Override
        public void handleClose(Channel channel) {
            synchronized (lock) {
                delegate.handleClose(channel);
            }
        }

        @Override
        public void dropDatabase(String database) {
            durably(() -> {
                delegate.dropDatabase(database);
                return null;
            });
        }

        @Override
        public Collection<Document> getCurrentOperations(MongoQuery query) {
            if (scram != null) {
                scram.requireAuthenticated(query.getChannel(), "currentOp");
            }
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

        /**
         * Runs one request under the lock, then holds its reply until everything it wrote or could have read is
         * on disk: group commit. The first request to wait commits all changes made so far (under the lock, so a
         * chunk never holds half a request) and fsyncs outside it; requests that arrive meanwhile wait for the next
         * round, so one fsync serves every write answered in the same few milliseconds. Reads wait only while a
         * write they may have seen is not yet synced. An error reply waits too: a batch may have half-applied.
         */
        private <T> T durably(Supplier<T> request) {
            T result = null;
            RuntimeException failure = null;
            long mustSync;
            synchronized (lock) {
                try {
                    result = request.get();
                } catch (RuntimeException e) {
                    failure = e;
                }
                if (mvStore != null && mvStore.hasUnsavedChanges()) {
                    changes++;
                }
                mustSync = changes;
            }
            awaitSynced(mustSync);
            if (failure != null) {
                throw failure;
            }
            return result;
        }

        private void awaitSynced(long target) {
            if (mvStore == null) {
                return;
            }
            syncLock.lock();
            try {
                while (synced < target) {
                    if (syncing) {
                        syncDone.awaitUninterruptibly();
                        continue;
                    }
                    syncing = true;
                    long upTo;
                    syncLock.unlock();
                    try {
                        synchronized (lock) {
                            upTo = changes;
                            if (mvStore.isClosed()) {
                                // Closed by the shutdown hook, which committed and synced everything first.
                                upTo = Long.MAX_VALUE;
                            } else {
                                compactNowAndThen();
                                commitAndSync(true, false);
                            }
                        }
                        if (upTo != Long.MAX_VALUE) {
                            commitAndSync(false, true);
                        }
                    } finally {
                        syncLock.lock();
                        syncing = false;
                    }
                    synced = Math.max(synced, upTo);
                    syncDone.signalAll();
                }
            } finally {
                syncLock.unlock();
            }
        }

        /**
         * MVStore's background thread, off here (see openOwnerOnly), is also what compacts the file: without it,
         * a chunk per commit grew a bench's file to 370 MB in five minutes. So the committing request does it
         * every COMPACT_EVERY_MS, rewriting sparse chunks (a few MB per round, so the pause stays short) before
         * its commit; the fsync after it covers the rewrite. Only this round's leader commits, so no commit lands
         * while an fsync is pending.
         */
        private void compactNowAndThen() {
            long now = System.nanoTime();
            if (now - lastCompaction < COMPACT_EVERY_MS * 1_000_000L) {
                return;
            }
            lastCompaction = now;
            try {
                mvStore.compact(COMPACT_TARGET_FILL_RATE, COMPACT_WRITE_BYTES);
            } catch (RuntimeException e) {
                if (!mvStore.isClosed()) {
                    System.err.println("switchboard-mongo: compaction failed (the data is intact, the file larger): " + e);
                }
            }
        }

        /**
         * If the disk refuses (full, I/O error) the write is in memory but not on disk, so it must not be
         * acknowledged: the process halts without replying, the client sees a dropped connection, and the
         * supervisor restarts the store from the last synced state.
         */
        private void commitAndSync(boolean commit, boolean sync) {
            try {
                if (commit && mvStore.hasUnsavedChanges()) {
                    mvStore.commit();
                }
                if (sync) {
                    mvStore.sync();
                }
            } catch (RuntimeException e) {
                if (mvStore.isClosed()) {
                    // The shutdown hook closed the store meanwhile; closing commits and syncs what is left.
                    return;
                }
                System.err.println("switchboard-mongo: cannot write the H2 file, halting so nothing unsynced is acknowledged: " + e);
                System.err.flush();
                Runtime.getRuntime().halt(75);
            }
        }

        private static String firstKey(Document document) {
            return document.isEmpty() ? "" : document.keySet().iterator().next();
        }

        private static Document snapshot(Document document) {
            return document == null ? null : document.cloneDeeply();
        }
    }

    /**
     * The server side of SCRAM-SHA-256 (RFC 5802, RFC 7677) as the MongoDB drivers speak it: `saslStart` carries
     * the client-first message, `saslContinue` the client proof; with `skipEmptyExchange` the server signature ends
     * the conversation. mongo-java-server has no authentication of its own, and the loopback port is reachable by
     * every account on the machine. The password is random per store process and never stored (SCRAM keeps only the
     * derived keys), so the derivation runs once at start, not per connection.
     */
    static final class ScramSha256 {
        private static final AttributeKey<Boolean> AUTHENTICATED = AttributeKey.valueOf("switchboard.authenticated");
        private static final AttributeKey<String[]> CONVERSATION = AttributeKey.valueOf("switchboard.scram");
        // What a driver sends before it authenticates: the handshake (its OP_QUERY and OP_MSG spellings).
        private static final Set<String> BEFORE_AUTH = Set.of("hello", "isMaster", "ismaster");
        private static final int ITERATIONS = 15_000;
        private static final Base64.Encoder B64 = Base64.getEncoder();
        private static final Base64.Decoder B64D = Base64.getDecoder();

        private final String user;
        private final byte[] salt = new byte[16];
        private final byte[] storedKey;
        private final byte[] serverKey;
        private final SecureRandom random = new SecureRandom();

        ScramSha256(String user, String password) throws Exception {
            this.user = user;
            random.nextBytes(salt);
            SecretKeyFactory pbkdf2 = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256");
            byte[] salted = pbkdf2.generateSecret(new PBEKeySpec(password.toCharArray(), salt, ITERATIONS, 256)).getEncoded();
            storedKey = MessageDigest.getInstance("SHA-256").digest(hmac(salted, "Client Key"));
            serverKey = hmac(salted, "Server Key");
        }

        /** The reply to a SASL command, null to let an allowed command through; throws for anything else. */
        Document intercept(Channel channel, String command, Document body) {
            switch (command) {
                case "saslStart":
                    return start(channel, body);
                case "saslContinue":
                    return finish(channel, body);
                default:
                    if (!BEFORE_AUTH.contains(command)) {
                        requireAuthenticated(channel, command);
                    }
                    return null;
            }
        }

        void requireAuthenticated(Channel channel, String command) {
            if (!Boolean.TRUE.equals(channel.attr(AUTHENTICATED).get())) {
                throw new MongoServerError(13, "Unauthorized", "command " + command + " requires authentication");
            }
        }

        private Document start(Channel channel, Document body) {
            if (!"SCRAM-SHA-256".equals(body.get("mechanism"))) {
                throw failed("only SCRAM-SHA-256 is supported");
            }
            String clientFirst = payload(body);
            // gs2 header "n,," (no channel binding, no authzid), then the bare message "n=<user>,r=<nonce>".
            if (!clientFirst.startsWith("n,,")) {
                throw failed("unsupported channel binding");
            }
            String bare = clientFirst.substring(3);
            String name = attribute(bare, 'n');
            String clientNonce = attribute(bare, 'r');
            if (name == null || clientNonce == null || clientNonce.isEmpty()) {
                throw failed("malformed client-first message");
            }
            byte[] serverNonce = new byte[24];
            random.nextBytes(serverNonce);
            String nonce = clientNonce + B64.encodeToString(serverNonce);
            String serverFirst = "r=" + nonce + ",s=" + B64.encodeToString(salt) + ",i=" + ITERATIONS;
            channel.attr(AUTHENTICATED).set(false);
            channel.attr(CONVERSATION).set(new String[] {name, bare, serverFirst, nonce});
            return saslReply(serverFirst, false);
        }

        private Document finish(Channel channel, Document body) {
            String[] conversation = channel.attr(CONVERSATION).getAndSet(null);
            if (conversation == null) {
                throw failed("no SCRAM conversation in progress");
            }
            String clientFinal = payload(body);
            int proofAt = clientFinal.lastIndexOf(",p=");
            if (proofAt < 0) {
                throw failed("malformed client-final message");
            }
            String withoutProof = clientFinal.substring(0, proofAt);
            if (!"biws".equals(attribute(withoutProof, 'c')) || !conversation[3].equals(attribute(withoutProof, 'r'))) {
                throw failed("channel binding or nonce mismatch");
            }
            byte[] proof;
            try {
                proof = B64D.decode(clientFinal.substring(proofAt + 3));
            } catch (IllegalArgumentException e) {
                throw failed("malformed client proof");
            }
            String authMessage = conversation[1] + "," + conversation[2] + "," + withoutProof;
            byte[] signature = hmac(storedKey, authMessage);
            if (proof.length != signature.length) {
                throw failed("malformed client proof");
            }
            byte[] clientKey = new byte[proof.length];
            for (int i = 0; i < proof.length; i++) {
                clientKey[i] = (byte) (proof[i] ^ signature[i]);
            }
            boolean userMatches = user.equals(conversation[0].replace("=2C", ",").replace("=3D", "="));
            boolean keyMatches = MessageDigest.isEqual(sha256(clientKey), storedKey);
            if (!userMatches || !keyMatches) {
                throw failed("wrong user name or password");
            }
            channel.attr(AUTHENTICATED).set(true);
            return saslReply("v=" + B64.encodeToString(hmac(serverKey, authMessage)), true);
        }

        private static Document saslReply(String payload, boolean done) {
            Document reply = new Document();
            reply.put("conversationId", 1);
            reply.put("done", done);
            reply.put("payload", new BinData(payload.getBytes(StandardCharsets.UTF_8)));
            reply.put("ok", 1.0);
            return reply;
        }

        private static String payload(Document body) {
            Object payload = body.get("payload");
            if (payload instanceof BinData binData) {
                return new String(binData.getData(), StandardCharsets.UTF_8);
            }
            if (payload instanceof String text) {
                return text;
            }
            throw failed("missing payload");
        }

        private static String attribute(String message, char key) {
            for (String part : message.split(",")) {
                if (part.length() >= 2 && part.charAt(0) == key && part.charAt(1) == '=') {
                    return part.substring(2);
                }
            }
            return null;
        }

        private static MongoServerError failed(String why) {
            // The client learns only that it failed, as from MongoDB; the reason is for the stand-in's log.
            System.err.println("switchboard-mongo: authentication failed: " + why);
            return new MongoServerError(18, "AuthenticationFailed", "Authentication failed.");
        }

        private static byte[] hmac(byte[] key, String text) {
            try {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(new SecretKeySpec(key, "HmacSHA256"));
                return mac.doFinal(text.getBytes(StandardCharsets.UTF_8));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        private static byte[] sha256(byte[] data) {
            try {
                return MessageDigest.getInstance("SHA-256").digest(data);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** One line, read a byte at a time so nothing after it is consumed: the rest of stdin is the parent's lifeline. */
    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0 && b != '\n') {
            line.write(b);
        }
        return b < 0 && line.size() == 0 ? null : line.toString(StandardCharsets.UTF_8).trim();
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
