// Which shell lines the history file may keep: only commands that parse, with no word that could carry a secret.
import { HelpRequested } from '../command/parse.js';
import { resolve, type CommandTree } from '../command/tree.js';
import { splitWords } from '../command/words.js';

/** Any spelling of a password or PIN option or variable (`--pasword`, `--PASSWORD`, `CLOUDHSM_PIN`, ...). */
const SECRET_WORD = /pass|pin/i;

/**
 * A line is kept only if it is a known command whose options all parse and no word of it looks
 * secret-bearing (or asks for help). Everything else is dropped: a mistyped option (`--pasword X`), a password typed at
 * the shell prompt by mistake, an unbalanced quote. Answers to prompts are removed when read.
 */
export function keepInHistory<Ctx, Out>(tree: CommandTree<Ctx, Out>, line: string): boolean {
  if (SECRET_WORD.test(line)) return false;
  let words: string[];
  try {
    words = splitWords(line);
  } catch {
    return false;
  }
  if (words.length === 0) return false;
  if (words.length === 1 && (words[0] === 'quit' || words[0] === 'exit')) return true;
  try {
    resolve(tree, words);
    return true;
  } catch (error) {
    return error instanceof HelpRequested;
  }
}
