// Reads lines from a terminal (line editing, history, completion, hidden input) or from a pipe (heredoc scripts).
import fs from 'node:fs';
import readline from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { completePath } from './complete.js';

export interface LineInputOptions {
  input: Readable;
  /** Where prompts and echo go (stderr: stdout carries only JSON). */
  output: Writable;
  terminal: boolean;
  /** Tab completion; a promise for candidates that must be looked up (readline waits for it). */
  completer?: (line: string) => [string[], string] | Promise<[string[], string]>;
  historyFile?: string;
  /** Which lines the history file may keep (default: all but those with a --password option). */
  keepInHistory?: (line: string) => boolean;
}

const HISTORY_SIZE = 500;

/** read() answer when Ctrl-C was pressed at the prompt (terminal only): `^C` shown, the typed line dropped. */
export const INTERRUPTED = Symbol('Ctrl-C');
/** read() answer when Ctrl-D was pressed on an empty line (terminal only); the terminal stays open. */
export const END_KEY = Symbol('Ctrl-D');
/** A line; undefined when the input itself ended (a pipe or heredoc at its end); or a key that cancels. */
export type ReadAnswer = string | undefined | typeof INTERRUPTED | typeof END_KEY;

interface TtyInternals {
  _ttyWrite(s: string, key: { ctrl?: boolean; name?: string } | undefined): void;
  line: string;
  cursor: number;
}

export class LineInput {
  private readonly rl: readline.Interface;
  private readonly queue: string[] = [];
  private waiting: ((answer: ReadAnswer) => void) | undefined;
  private closed = false;
  private muted = false;
  /** How Tab completes during the read in progress: the shell's completer, file paths, or not at all. */
  private completion: 'shell' | 'path' | 'none' = 'shell';

  constructor(private readonly options: LineInputOptions) {
    const history = options.terminal && options.historyFile ? loadHistory(options.historyFile) : [];
    this.rl = readline.createInterface({
      input: options.input,
      output: options.terminal ? options.output : undefined,
      terminal: options.terminal,
      completer: options.terminal
        ? (line: string, done: (error: Error | null, result: [string[], string]) => void) => {
            Promise.resolve(this.complete(line)).then(
              (result) => done(null, result),
              () => done(null, [[], line]),
            );
          }
        : undefined,
      history,
      historySize: HISTORY_SIZE,
      removeHistoryDuplicates: true,
    });
    // Hidden input: readline echoes through this method; while muted nothing typed is shown.
    const rl = this.rl as unknown as { _writeToOutput(s: string): void };
    const write = rl._writeToOutput.bind(this.rl);
    rl._writeToOutput = (s: string) => {
      if (!this.muted) write(s);
    };
    this.rl.on('line', (line) => {
      if (this.waiting) {
        const resolve = this.waiting;
        this.waiting = undefined;
        resolve(line);
      } else this.queue.push(line);
    });
    this.rl.on('close', () => {
      this.closed = true;
      this.waiting?.(undefined);
      this.waiting = undefined;
    });
    if (options.terminal) {
      const tty = this.rl as unknown as TtyInternals;
      const ttyWrite = tty._ttyWrite.bind(this.rl);
      // Ctrl-D on an empty line: readline would close itself, and a closed readline leaves a shell that
      // shows its prompt but never reads again; it ends only the read that is waiting.
      tty._ttyWrite = (s, key) => {
        if (key?.ctrl && key.name === 'd' && tty.line === '') this.endRead(END_KEY, '\n');
        else ttyWrite(s, key);
      };
      this.rl.on('SIGINT', () => this.endRead(INTERRUPTED, '^C\n'));
    }
  }

  get isTerminal(): boolean {
    return this.options.terminal;
  }

  /** Ends the waiting read with a key's answer, dropping what was typed on the line. */
  private endRead(answer: typeof INTERRUPTED | typeof END_KEY, echo: string): void {
    const tty = this.rl as unknown as TtyInternals;
    this.muted = false;
    this.options.output.write(echo);
    tty.line = '';
    tty.cursor = 0;
    const resolve = this.waiting;
    this.waiting = undefined;
    resolve?.(answer);
  }

  private complete(line: string): [string[], string] | Promise<[string[], string]> {
    if (this.completion === 'path') return completePath(line.trim());
    if (this.completion === 'shell' && this.options.completer) return this.options.completer(line);
    return [[], line];
  }

  /**
   * Shows a prompt and resolves with the next line, undefined at end of input, or the cancelling key.
   * `answer`: the line answers a command's prompt, so it stays out of the history (file and up arrow);
   * `path` makes Tab complete file names.
   */
  read(prompt: string, hidden = false, answer?: { path?: boolean }): Promise<ReadAnswer> {
    const rl = this.rl as unknown as { historySize: number };
    // A closed readline must not prompt: prompting resumes the input, which then keeps the process alive.
    if (this.options.terminal && !this.closed) {
      this.rl.setPrompt(prompt);
      this.rl.prompt();
      this.muted = hidden;
      this.completion = hidden ? 'none' : answer ? (answer.path ? 'path' : 'none') : 'shell';
      // readline adds nothing to its history while historySize is 0: a password or a prompt's answer
      // never reaches the up arrow, nor the history file written from it.
      if (hidden || answer) rl.historySize = 0;
    } else {
      this.options.output.write(`${prompt}\n`);
    }
    const next = this.queue.length
      ? Promise.resolve(this.queue.shift())
      : this.closed
        ? Promise.resolve(undefined)
        : new Promise<ReadAnswer>((r) => (this.waiting = r));
    return next.then((line) => {
      rl.historySize = HISTORY_SIZE;
      this.completion = 'shell';
      if (hidden && this.options.terminal) {
        this.muted = false;
        if (typeof line === 'string') this.options.output.write('\n');
      }
      return line;
    });
  }

  close(): void {
    if (this.options.terminal && this.options.historyFile) {
      const keep = this.options.keepInHistory ?? (() => true);
      const history = (this.rl as unknown as { history: string[] }).history;
      saveHistory(
        this.options.historyFile,
        history.filter((line) => keep(line)),
      );
    }
    this.rl.close();
  }
}

function loadHistory(file: string): string[] {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).reverse().slice(0, HISTORY_SIZE);
  } catch {
    return [];
  }
}

function saveHistory(file: string, history: readonly string[]): void {
  try {
    // Commands can carry --password values: the history file is private to its owner.
    const lines = [...history].reverse().filter((l) => !/--(password|change-password)\b/.test(l));
    fs.writeFileSync(file, lines.join('\n') + '\n', { mode: 0o600 });
    fs.chmodSync(file, 0o600);
  } catch {
    // History is a convenience; failing to save it must not fail the shell.
  }
}
