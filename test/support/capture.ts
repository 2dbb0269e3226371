import { Writable } from 'node:stream';

/** A stream that keeps what a CLI command wrote, for tests that read its stdout and stderr. */
export class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: string, done: () => void) {
    this.text += chunk.toString();
    done();
  }
}
