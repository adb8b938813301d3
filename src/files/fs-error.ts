// What a failed file operation tells the user: one wording for every errno and for the input-file refusals.

/** A file LocalHSM refuses to read or write before touching its content (wrong type, too large, a link). */
export class FileRefused extends Error {
  constructor(
    /** Errno-like, for callers that branch on it: ENOTREG, EFBIG, EISDIR or ELOOP. */
    readonly code: 'ENOTREG' | 'EFBIG' | 'EISDIR' | 'ELOOP',
    /** The reason, worded for a message. */
    readonly detail: string,
  ) {
    super(detail);
    this.name = 'FileRefused';
  }
}

/** The reason a file operation failed, worded for a message (never the file's content). */
export function describeFsError(error: unknown): string {
  if (error instanceof FileRefused) return error.detail;
  const e = error as NodeJS.ErrnoException;
  switch (e?.code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a directory';
    default:
      return e?.code ?? String(e?.message ?? error);
  }
}

/**
 * The short form some messages carry in parentheses: the errno code (`ENOENT`) as before, or the
 * reason of a refusal (a FIFO, too large), which has no errno of its own.
 */
export function fsErrorCode(error: unknown): string {
  if (error instanceof FileRefused) return error.detail;
  return (error as NodeJS.ErrnoException)?.code ?? 'unreadable';
}
