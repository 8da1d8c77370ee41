/**
 * `npm run rehab:token -- --role device|therapist|admin [--subject ID] [--expires 12h]`:
 * prints a token signed with the rehab service's secret (REHAB_JWT_SECRET, or the local one in
 * .loadproof/). The last line of the output is the token.
 */
import { parseArgs } from 'node:util';
import { type RehabRole, ROLES, rehabSecret, signRehabToken } from './auth.ts';

const HELP = `usage: npm run rehab:token -- --role device|therapist|admin [--subject ID] [--expires 12h]
  --role      device (posts for its subject), therapist (reads its patients), admin (everything)
  --subject   the device's patient id, the therapist's or the admin's id (default: patient-001,
              therapist-001 or admin)
  --expires   lifetime such as 30m, 12h, 7d (default 12h)
The last line printed is the token.`;

let values: { role?: string; subject?: string; expires?: string; help?: boolean };
try {
  ({ values } = parseArgs({
    options: {
      role: { type: 'string' },
      subject: { type: 'string' },
      expires: { type: 'string', default: '12h' },
      help: { type: 'boolean', short: 'h' },
    },
  }));
} catch (e) {
  process.stderr.write(`rehab:token: ${(e as Error).message}\n${HELP}\n`);
  process.exit(2);
}
if (values.help) {
  process.stdout.write(`${HELP}\n`);
  process.exit(0);
}
if (!ROLES.includes(values.role as RehabRole)) {
  process.stderr.write(
    `rehab:token: --role: expected one of ${ROLES.join(', ')}, got "${values.role ?? ''}"\n${HELP}\n`,
  );
  process.exit(2);
}
const role = values.role as RehabRole;
const id = values.subject ?? { device: 'patient-001', therapist: 'therapist-001', admin: 'admin' }[role];
if (!/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/.test(id)) {
  process.stderr.write(
    `rehab:token: --subject: expected an identifier (letters, digits, _.:-), got "${id}"\n`,
  );
  process.exit(2);
}
if (!/^\d+[smhd]$/.test(values.expires ?? '')) {
  process.stderr.write(
    `rehab:token: --expires: expected a duration such as 30m, 12h or 7d, got "${values.expires}"\n`,
  );
  process.exit(2);
}
const token = await signRehabToken(rehabSecret(), { id, role }, values.expires);
process.stdout.write(`role ${role}, subject ${id}, expires in ${values.expires}\n${token}\n`);
