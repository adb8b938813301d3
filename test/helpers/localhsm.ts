// Runs the localhsm binary's main in-process and captures its output.
import { PassThrough, Readable } from 'node:stream';
import { localhsmMain } from '../../src/localhsm/main.js';

export interface LocalRun {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runLocalhsm(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<LocalRun> {
  const capture = () => {
    const stream = new PassThrough();
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
  };
  const out = capture();
  const err = capture();
  const code = await localhsmMain(args, env, { stdin: Readable.from(['']), stdout: out.stream, stderr: err.stream });
  return { code, stdout: out.text(), stderr: err.text() };
}
