import { existsSync, readFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';

/** Debounced, atomic (write temp file + rename) JSON persistence of the emulator state. */
export class Persister {
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private dirty = false;

  constructor(
    private readonly file: string,
    private readonly snapshot: () => unknown,
    private readonly delayMs = 250,
  ) {}

  static load(file: string): unknown {
    if (!existsSync(file)) return undefined;
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as unknown;
    } catch {
      return undefined; // a corrupt file starts the emulator empty rather than not at all
    }
  }

  schedule(): void {
    this.dirty = true;
    if (this.timer) return;
    this.timer = setTimeout(() => void this.flush(), this.delayMs);
    this.timer.unref();
  }

  /** Writes now if anything changed; resolves when the file is on disk. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.dirty) return this.writing;
    this.dirty = false;
    const json = JSON.stringify(this.snapshot());
    const tmp = `${this.file}.${process.pid}.tmp`;
    this.writing = this.writing.then(async () => {
      try {
        await writeFile(tmp, json);
        await rename(tmp, this.file);
      } catch (e) {
        // Keep serving; the next change retries the write.
        this.dirty = true;
        console.error(`acs emulator: could not write ${this.file}: ${e instanceof Error ? e.message : String(e)}`);
      }
    });
    return this.writing;
  }
}
