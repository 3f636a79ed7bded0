/**
 * A PostgreSQL server of a test's own, in a temporary folder (initdb and pg_ctl, as
 * .ci/with-postgres does), for faults that must not touch the shared test server: it may be
 * frozen with SIGSTOP. `skip` says why none can be started here.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PGBIN = process.env.PGBIN ?? (existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql').sort((a, b) => Number(a) - Number(b)).map((v) => join('/usr/lib/postgresql', v, 'bin')).at(-1) : undefined);
const ROOT_USER = process.getuid?.() === 0;

export const PRIVATE_PG_SKIP = !PGBIN || !existsSync(join(PGBIN, 'initdb')) || !existsSync(join(PGBIN, 'pg_ctl'))
  ? 'no PostgreSQL server binaries (initdb, pg_ctl) found; set PGBIN'
  : ROOT_USER && spawnSync('id', ['-u', 'postgres']).status !== 0 ? 'running as root without a `postgres` user to run the server as' : '';

export interface PrivatePostgres {
  url: string; processes(): number[]; stop(): void;
  /** `pg_ctl stop -m mode` without removing the data, and `pg_ctl start` again on the same port */
  halt(mode: 'fast' | 'immediate'): void; restart(): void;
}

const freePort = () => new Promise<number>((ok) => {
  const s = createServer().listen(0, '127.0.0.1', () => { const a = s.address(); s.close(() => ok(typeof a === 'object' && a ? a.port : 0)); });
});

/** initdb refuses to run as root: the server then runs as the postgres user. */
const asPg = (cmd: string, args: string[]) => execFileSync(ROOT_USER ? 'runuser' : cmd, ROOT_USER ? ['-u', 'postgres', '--', cmd, ...args] : args, { stdio: 'pipe' });

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'arbiter-private-pg-'));
  if (ROOT_USER) chownSync(dir, Number(execFileSync('id', ['-u', 'postgres']).toString()), Number(execFileSync('id', ['-g', 'postgres']).toString()));
  const data = join(dir, 'data');
  const port = await freePort();
  asPg(join(PGBIN!, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'arbiter', '--no-sync']);
  asPg(join(PGBIN!, 'pg_ctl'), ['-D', data, '-l', join(dir, 'server.log'), '-w', '-t', '30', '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`, 'start']);
  const postmaster = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
  return {
    url: `postgres://arbiter@127.0.0.1:${port}/postgres`,
    // The postmaster and every backend it forked: freezing only the postmaster leaves the backends answering.
    processes: () => [postmaster, ...execFileSync('ps', ['-o', 'pid=', '--ppid', String(postmaster)]).toString().trim().split(/\s+/).filter(Boolean).map(Number)],
    halt: (mode) => { asPg(join(PGBIN!, 'pg_ctl'), ['-D', data, '-m', mode, '-w', 'stop']); },
    restart: () => { asPg(join(PGBIN!, 'pg_ctl'), ['-D', data, '-l', join(dir, 'server.log'), '-w', '-t', '30', '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`, 'start']); },
    stop() {
      try { asPg(join(PGBIN!, 'pg_ctl'), ['-D', data, '-m', 'immediate', 'stop']); } finally { rmSync(dir, { recursive: true, force: true }); }
    },
  };
}
