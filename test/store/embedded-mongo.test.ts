import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import mongoose from 'mongoose';

import { JavaMissingError, startEmbeddedMongo, type EmbeddedMongo } from '../../src/store/embedded-mongo';
import { connectTestDb, type TestDb } from '../setup/db';

// Cold JVM starts on a loaded two-core machine: give each start room, well under the launcher's own 60 s.
const JVM_TEST_TIMEOUT_MS = 90_000;

describe('embedded MongoDB stand-in: H2 persistence', () => {
  let tmpDir: string;

  beforeAll(async () => {
    tmpDir = await mkdtemp(path.join(os.tmpdir(), 'sb-embedded-mongo-'));
  });

  afterAll(async () => {
    await rm(tmpDir, { recursive: true, force: true });
  });

  it(
    'keeps documents in the H2 file across a stop and restart',
    async () => {
      const h2File = path.join(tmpDir, 'nested', 'store.mv');
      const noteSchema = new mongoose.Schema({ text: String });

      const first = await startEmbeddedMongo({ h2File });
      try {
        const conn = await mongoose.createConnection(first.uri, { dbName: 'persist' }).asPromise();
        await conn.model('Note', noteSchema).create({ text: 'survives restarts' });
        await conn.close();
      } finally {
        await first.stop();
      }

      const second = await startEmbeddedMongo({ h2File });
      try {
        const conn = await mongoose.createConnection(second.uri, { dbName: 'persist' }).asPromise();
        const notes = await conn.model('Note', noteSchema).find().lean();
        await conn.close();
        expect(notes.map((n) => n.text)).toEqual(['survives restarts']);
      } finally {
        await second.stop();
      }
    },
    JVM_TEST_TIMEOUT_MS,
  );
});

describe('embedded MongoDB stand-in: behaviour the store relies on', () => {
  let db: TestDb;

  beforeAll(async () => {
    db = await connectTestDb('embedded_mongo');
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('answers the isMaster capability probe with max wire version 17', async () => {
    const reply = await db.connection.db!.admin().command({ isMaster: 1 });
    expect(reply.ok).toBe(1);
    if (process.env.SWITCHBOARD_MONGO_STAND_IN) {
      expect(reply.maxWireVersion).toBe(17);
      // What the capability probe reads as "no sessions, so no transactions".
      expect(reply.logicalSessionTimeoutMinutes).toBeUndefined();
    } else {
      // A real MongoDB (MONGODB_URI) reports its own version; the driver needs at least 9.
      expect(reply.maxWireVersion).toBeGreaterThanOrEqual(9);
    }
  });

  it('rejects a duplicate on a unique index with code 11000', async () => {
    const User = db.connection.model(
      'UniqueUser',
      new mongoose.Schema({ email: { type: String, required: true, unique: true } }),
    );
    await User.init();
    await User.create({ email: 'a@example.com' });
    await expect(User.create({ email: 'a@example.com' })).rejects.toMatchObject({ code: 11000 });
    expect(await User.countDocuments()).toBe(1);
  });

  it('hands out distinct values from concurrent findOneAndUpdate $inc', async () => {
    const Counter = db.connection.model('Counter', new mongoose.Schema({ _id: String, seq: Number }));
    // Several rounds: the stand-in once replied with a later caller's value in about half of all rounds
    // (see SnapshotBackend in Launcher.java), so one round alone would catch a regression only by luck.
    for (let round = 0; round < 5; round++) {
      const _id = `tickets-${round}`;
      // Created up front: concurrent upserts racing to insert are a different question from $inc atomicity.
      await Counter.create({ _id, seq: 0 });
      const results = await Promise.all(
        Array.from({ length: 20 }, () =>
          Counter.findOneAndUpdate({ _id }, { $inc: { seq: 1 } }, { returnDocument: 'after' }).lean(),
        ),
      );
      const values = results.map((doc) => doc!.seq!).sort((a, b) => a - b);
      expect(values).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    }
  });
});

describe('embedded MongoDB stand-in: its loopback port', () => {
  let own: EmbeddedMongo | undefined;
  let uri: string;
  let db: TestDb;

  beforeAll(async () => {
    // The suite's stand-in when there is one; with MONGODB_URI on a real cluster, a stand-in of this test's own.
    if (!process.env.SWITCHBOARD_MONGO_STAND_IN) own = await startEmbeddedMongo();
    uri = own?.uri ?? process.env.MONGODB_URI!;
    db = await connectTestDb('stand_in_auth');
  }, JVM_TEST_TIMEOUT_MS);

  afterAll(async () => {
    await db?.drop();
    await own?.stop();
  });

  const withoutCredentials = (withCredentials: string) => withCredentials.replace(/\/\/[^@/]+@/, '//').replace(/[&?]auth(Source|Mechanism)=[^&]*/g, '');

  it('answers nothing but the handshake to a connection that did not authenticate', async () => {
    const target = own ? await mongoose.createConnection(own.uri, { dbName: db.dbName }).asPromise() : db.connection;
    await target.collection('secrets').insertOne({ text: 'a customer conversation' });
    const anonymous = new mongoose.mongo.MongoClient(withoutCredentials(uri), { serverSelectionTimeoutMS: 5_000 });
    try {
      await anonymous.connect();
      await expect(anonymous.db(db.dbName).collection('secrets').find().toArray()).rejects.toMatchObject({ code: 13 });
      await expect(anonymous.db('admin').command({ listDatabases: 1 })).rejects.toMatchObject({ code: 13 });
      await expect(anonymous.db(db.dbName).collection('secrets').insertOne({ text: 'planted' })).rejects.toMatchObject({ code: 13 });
    } finally {
      await anonymous.close();
      if (own) await target.close();
    }
  });

  it('refuses a wrong password', async () => {
    const wrong = new mongoose.mongo.MongoClient(uri.replace(/(\/\/[^:]+:)[^@]+@/, '$1wrong@'), { serverSelectionTimeoutMS: 5_000 });
    try {
      await expect(wrong.connect()).rejects.toMatchObject({ code: 18 });
    } finally {
      await wrong.close();
    }
  });
});

describe('embedded MongoDB stand-in: without Java', () => {
  it('throws JavaMissingError pointing at Java 17+ and MONGODB_URI when java is not on PATH', async () => {
    const emptyBin = await mkdtemp(path.join(os.tmpdir(), 'sb-no-java-'));
    try {
      const attempt = startEmbeddedMongo({ env: { ...process.env, PATH: emptyBin, JAVA_HOME: '' } });
      await expect(attempt).rejects.toBeInstanceOf(JavaMissingError);
      await expect(attempt).rejects.toThrow(/Java 17\+/);
      await expect(attempt).rejects.toThrow(/MONGODB_URI=mongodb:\/\//);
    } finally {
      await rm(emptyBin, { recursive: true, force: true });
    }
  });
});

