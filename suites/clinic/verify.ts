/**
 * `npm run load-test:verify`: the overbooking check of verify-integrity.sql and the ledger
 * reconciliation against DATABASE_URL (or the embedded default). Exit 0 when both find no
 * rows, 3 when either does, 2 when the database cannot be reached.
 */

import { queryRows } from 'loadproof/checks';
import { maskUrl } from '../../services/shared/database.ts';
import { localDatabase } from '../../services/shared/local-database.ts';
import { LEDGER_SQL, OVERBOOKED_SQL, SUMMARY_SQL } from './integrity.ts';

const db = await localDatabase('clinic', 'clinic_load_test');
try {
  const over = await queryRows(db.url, OVERBOOKED_SQL);
  const ledger = await queryRows(db.url, LEDGER_SQL);
  const [summary] = await queryRows(db.url, SUMMARY_SQL);
  process.stdout.write(`=== Authorization Unit Integrity Check (${maskUrl(db.url)}) ===\n`);
  if (over.length) console.table(over);
  process.stdout.write(
    `(${over.length} rows)\n=== Expected Result: 0 rows ===\n\n=== Ledger reconciliation ===\n`,
  );
  if (ledger.length) console.table(ledger);
  process.stdout.write(`(${ledger.length} rows)\n\n=== Summary ===\n`);
  console.table([summary]);
  if (over.length || ledger.length) {
    process.stdout.write('\nINTEGRITY VIOLATED: see the rows above.\n');
    process.exitCode = 3;
  } else process.stdout.write('\nOK: no overbooking; the ledger reconciles.\n');
} catch (e) {
  process.stderr.write(`load-test:verify: cannot check ${maskUrl(db.url)}: ${(e as Error).message}\n`);
  process.exitCode = 2;
} finally {
  await db.stop();
}
