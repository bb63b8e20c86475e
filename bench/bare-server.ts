/**
 * The reference point of the benchmark: the smallest Fastify server there is, one route, logger
 * off, nothing registered. Gatehouse's numbers are reported as ratios to this server, measured on
 * the same machine in the same run. Listens on PORT (default 3001) on 127.0.0.1.
 *
 * For the transfer benchmark it also has the least a file route can do: `POST /upload` pipes the
 * raw request body into one file under BARE_UPLOAD_DIR (no multipart parsing, no hashing, no
 * checks) and `GET /download` streams that file back.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import Fastify from 'fastify';

const port = Number(process.env.PORT ?? 3001);
const file = join(process.env.BARE_UPLOAD_DIR ?? tmpdir(), `bare-upload-${process.pid}.bin`);
const app = Fastify({ logger: false });
app.get('/', () => ({ hello: 'world' }));
app.addContentTypeParser('*', (_request, _payload, done) => done(null));
app.post('/upload', async (request) => {
  await pipeline(request.raw, createWriteStream(file));
  return { size: (await stat(file)).size };
});
app.get('/download', async (_request, reply) => {
  const { size } = await stat(file);
  return reply.header('content-length', size).type('application/octet-stream').send(createReadStream(file));
});

process.on('SIGTERM', () => {
  void app.close().then(() => process.exit(0));
});

await app.listen({ port, host: '127.0.0.1' });
