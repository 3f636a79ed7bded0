/**
 * `--watch`: reload when a policy file changes. Only the folders that hold the policy's files are
 * watched, each without recursion (a handful of inotify watches, not one per folder of
 * `node_modules`), and a folder rather than a file, because an editor that saves by writing a
 * temporary file and renaming it over the original replaces the file's inode, and a watch on the
 * old inode would hear nothing more. Changes are debounced; the reload itself waits until the
 * files have settled (loadSettledPolicyFiles). The folders above them are watched too, so a
 * folder renamed away or replaced by a checkout is heard. The watches are made anew before each
 * reload (a replaced folder is a new inode) and after it, from the files the policy is then made
 * of, so a rule file the registry starts naming in a new folder is watched as well.
 */
import { existsSync, watch, type FSWatcher } from 'node:fs';
import { join, posix } from 'node:path';

export interface PolicyWatch {
  /** the folders watched, relative to the policy root (`.` is the root) */
  folders(): string[];
  close(): void;
}

const POLICY_FILE = /\.(ya?ml|json)$/;

/**
 * The folders of the files and every folder above them up to the root: a folder renamed away or
 * replaced is heard in the folder above it, since its own watch goes with the old inode.
 */
export function foldersOf(paths: Iterable<string>): Set<string> {
  const out = new Set(['.']);
  for (const p of paths) {
    for (let d = posix.dirname(p); d !== '.' && !out.has(d); d = posix.dirname(d)) out.add(d);
  }
  return out;
}

/**
 * `paths` lists the policy's files (relative, `/`-separated) as they stand after the last reload;
 * `reload` is called after a change to one of them, or to another `.yaml`, `.yml` or `.json` file
 * in their folders below the root (a new test file, a new contract version).
 */
export function watchPolicy(root: string, paths: () => Iterable<string>, reload: () => Promise<unknown>, debounceMs = 100): PolicyWatch {
  let watchers = new Map<string, FSWatcher>();
  let timer: NodeJS.Timeout | undefined;
  let retry: NodeJS.Timeout | undefined;
  let closed = false;

  const changed = () => {
    if (closed) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      arm();
      void reload().finally(() => {
        const before = new Set(watchers.keys());
        arm();
        // Files in a folder first watched now may have changed since the reload read them.
        if ([...watchers.keys()].some((f) => !before.has(f))) changed();
      });
    }, debounceMs);
  };

  const arm = () => {
    if (closed) return;
    clearTimeout(retry);
    for (const w of watchers.values()) w.close();
    watchers = new Map();
    const known = new Set(paths());
    const folders = foldersOf(known);
    const missing: string[] = [];
    for (const folder of folders) {
      const full = join(root, folder);
      const relevant = (name: string) => {
        const path = folder === '.' ? name : `${folder}/${name}`;
        return known.has(path) || folders.has(path) || (folder !== '.' && POLICY_FILE.test(name));
      };
      try {
        if (!existsSync(full)) throw new Error('missing');
        const w = watch(full, { persistent: false }, (_, name) => { if (name && relevant(name)) changed(); });
        w.on('error', () => { w.close(); changed(); });
        watchers.set(folder, w);
      } catch {
        missing.push(full);
      }
    }
    // A folder the policy needs is gone for now (mid-checkout, say): look again until it is back.
    const back = () => { retry = missing.some((f) => existsSync(f)) ? (changed(), undefined) : setTimeout(back, 1000); };
    if (missing.length) retry = setTimeout(back, 1000);
  };

  arm();
  return {
    folders: () => [...watchers.keys()].sort(),
    close: () => {
      closed = true;
      clearTimeout(timer);
      clearTimeout(retry);
      for (const w of watchers.values()) w.close();
      watchers.clear();
    },
  };
}
