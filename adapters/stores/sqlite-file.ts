/**
 * Whether the SQLite database the connection holds is still the one at its path. A connection keeps
 * writing to an open file after its folder is removed or the file is replaced, and SQLite reports
 * success: those commits vanish when the process restarts. So before and after each commit the
 * store compares the database file and its write-ahead log, found by path, with the files it
 * opened (device and inode), and checks that it could open them for writing again.
 */
import { accessSync, constants, existsSync, statSync } from 'node:fs';

interface Identity { path: string; dev: number; ino: number }

export class DatabaseFiles {
  private constructor(private readonly files: Identity[]) {}

  /** The files as they are now; call right after opening, once the WAL exists (a database in WAL mode has one while it is open). */
  static of(path: string): DatabaseFiles {
    return new DatabaseFiles([path, `${path}-wal`].filter((p) => p === path || existsSync(p)).map((p) => {
      const s = statSync(p);
      return { path: p, dev: s.dev, ino: s.ino };
    }));
  }

  /** Why a commit now would not be durable, or undefined; `placeOnly` skips the check for write permission. */
  problem(placeOnly = false): string | undefined {
    for (const f of this.files) {
      let s;
      try {
        s = statSync(f.path);
      } catch (e) {
        return `\`${f.path}\` is gone (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): commits would not survive a restart`;
      }
      if (s.dev !== f.dev || s.ino !== f.ino) return `\`${f.path}\` was replaced by another file: commits would not survive a restart`;
      if (placeOnly) continue;
      try {
        accessSync(f.path, constants.W_OK);
      } catch {
        return `\`${f.path}\` is read-only: the gate could not open it again to write`;
      }
    }
    return undefined;
  }
}
