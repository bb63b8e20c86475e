/**
 * The reference point of the benchmark: the smallest Fastify server there is, one route, logger
 * off, nothing registered. Gatehouse's numbers are reported as ratios to this server, measured on
 * the same machine in the same run. Listens on PORT (default 3001) on 127.0.0.1.
 */
import Fastify from 'fastify';

const port = Number(process.env.PORT ?? 3001);
const app = Fastify({ logger: false });
app.get('/', () => ({ hello: 'world' }));

process.on('SIGTERM', () => {
  void app.close().then(() => process.exit(0));
});

await app.listen({ port, host: '127.0.0.1' });
