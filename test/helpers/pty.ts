// Test helper: a child process on a pseudo-terminal (node-pty) whose screen output can be awaited.
import * as pty from 'node-pty';
import { cleanEnv } from './processes.js';

/** A safety net against a hung child; tests never rely on it for timing. */
const HUNG_MS = 15_000;

/** Terminal text without its control sequences (cursor moves, line clears). */
export function plain(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
}

export class PtySession {
  private text = '';
  private readonly listeners = new Set<() => void>();
  readonly exited: Promise<{ exitCode: number; signal?: number }>;
  private readonly child: pty.IPty;

  constructor(file: string, args: string[], env: NodeJS.ProcessEnv) {
    this.child = pty.spawn(file, args, {
      name: 'xterm',
      cols: 200,
      rows: 50,
      env: cleanEnv(env) as Record<string, string>,
    });
    this.child.onData((data) => {
      this.text += data;
      for (const l of this.listeners) l();
    });
    this.exited = new Promise((resolve) => this.child.onExit(resolve));
  }

  /** Everything the terminal has shown so far. */
  get output(): string {
    return this.text;
  }

  type(keys: string): void {
    this.child.write(keys);
  }

  /** Resolves with the output after raw offset `from`, control sequences removed, once it contains `what`. */
  waitFor(what: string | RegExp, from = 0): Promise<string> {
    const test = () => {
      const seen = plain(this.text.slice(from));
      return typeof what === 'string' ? seen.includes(what) : what.test(seen);
    };
    if (test()) return Promise.resolve(plain(this.text.slice(from)));
    return new Promise((resolve, reject) => {
      const guard = setTimeout(() => {
        this.listeners.delete(check);
        reject(
          new Error(
            `terminal never showed ${String(what)}; it showed:\n${JSON.stringify(this.text.slice(from))}`,
          ),
        );
      }, HUNG_MS);
      const check = () => {
        if (!test()) return;
        clearTimeout(guard);
        this.listeners.delete(check);
        resolve(plain(this.text.slice(from)));
      };
      this.listeners.add(check);
    });
  }

  kill(): void {
    try {
      this.child.kill();
    } catch {
      // already gone
    }
  }
}
