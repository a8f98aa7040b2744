// The demo's keys, ids and voucher cards, kept in `<data dir>/demo.json` beside the database they
// describe: the API shows keys and PINs once, so this file is the only copy.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Sql } from '../db/connection.js';
import { addOfficeDesks, seedDemo, type ApiRequest, type DemoData } from './seed.js';

export function demoFile(dataDir: string): string {
  return join(dataDir, 'demo.json');
}

export type DemoState = { status: 'seeded' | 'found'; demo: DemoData } | { status: 'lost'; file: string };

/**
 * The demo of this database: read from demo.json, or seeded now (and written there) when the
 * database holds no organization yet. A database with organizations but no demo.json is left
 * alone: its keys cannot be shown again (`npm run seed -- --reset` starts over).
 */
export async function ensureDemo(
  sql: Sql,
  request: ApiRequest,
  { dataDir, adminKey, baseUrl }: { dataDir: string; adminKey: string; baseUrl: string },
): Promise<DemoState> {
  const file = demoFile(dataDir);
  if (existsSync(file)) {
    const found = JSON.parse(readFileSync(file, 'utf8')) as DemoData;
    // A demo from before the school offices' desks (or the impact page) gets their keys, so that the staff pages open.
    const upgraded = await addOfficeDesks(request, found);
    if (upgraded !== undefined) writeDemo(file, upgraded);
    return { status: 'found', demo: upgraded ?? found };
  }
  const [{ organizations } = { organizations: 0 }] = await sql<{ organizations: number }[]>`
    select count(*)::int as organizations from organizations`;
  if (organizations > 0) return { status: 'lost', file };
  const demo = await seedDemo(request, { adminKey, baseUrl });
  writeDemo(file, demo);
  return { status: 'seeded', demo };
}

function writeDemo(file: string, demo: DemoData): void {
  writeFileSync(file, `${JSON.stringify(demo, null, 2)}\n`, { mode: 0o600 });
}

/** The lines `npm start` and `npm run seed` print: where to click, and what to type. */
export function demoSummary(state: DemoState, baseUrl: string): string[] {
  if (state.status === 'lost') {
    return [
      `  demo       this database has data but no ${state.file}: its demo keys are lost (npm run seed -- --reset starts over)`,
    ];
  }
  const { demo } = state;
  const lines = [
    `  demo       ${baseUrl}/examples/ (${state.status === 'seeded' ? 'demo data created now' : 'demo data'}; keys and ids in demo.json of the data folder)`,
    '  vouchers   code                    PIN     value   language  pupil  issued by',
  ];
  for (const voucher of demo.vouchers) {
    lines.push(
      `             ${voucher.code.padEnd(22)}  ${voucher.pin}  €${(voucher.amount / 100).toFixed(2).padStart(5)}  ${voucher.language.padEnd(8)}  ${voucher.beneficiary.padEnd(5)}  ${voucher.issuedBy}`,
    );
  }
  // Staff pages: the desks open with these (written into the demo's staff pages, for the demo only).
  lines.push(
    `  desk keys  Teatro Cagnoni box office: ${demo.providers.teatroCagnoni.deskKey}  ${baseUrl}/examples/biglietteria/`,
    `             Liceo Cairoli office:      ${demo.referrers.liceoCairoli.deskKey}  ${baseUrl}/examples/segreteria/`,
    `  impact key Pasticceria Colombo:       ${demo.mentors.pasticceriaColombo.impactKey}  ${baseUrl}/examples/pasticceria-colombo/impatto.html`,
  );
  return lines;
}
