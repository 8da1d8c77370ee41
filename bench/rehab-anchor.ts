/**
 * The rehab bench's anchor: a bare Fastify route doing one autocommit INSERT per request (no
 * validation, no auth, no group commit, no pipeline). The issue quotes it as the figure group
 * commit must beat. Reads PORT and DATABASE_URL; prints nothing until it listens.
 */
import Fastify from 'fastify';
import pg from 'pg';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 16 });
await pool.query(`CREATE TABLE IF NOT EXISTS anchor_events (
  position bigserial PRIMARY KEY, event_id uuid NOT NULL, subject_id text NOT NULL, body jsonb NOT NULL)`);
const app = Fastify({ logger: false });
app.get('/health', async () => ({ status: 'ok' }));
app.post('/api/v1/events', async (req, reply) => {
  const e = req.body as { subject_id: string; body: unknown };
  const { rows } = await pool.query({
    name: 'anchor_insert',
    text: 'INSERT INTO anchor_events (event_id, subject_id, body) VALUES (gen_random_uuid(), $1, $2) RETURNING position, event_id',
    values: [e.subject_id, JSON.stringify(e.body)],
  });
  return reply.code(201).send({ event_id: rows[0].event_id, stream_position: Number(rows[0].position) });
});
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
process.on('SIGTERM', async () => {
  await app.close();
  await pool.end();
  process.exit(0);
});
