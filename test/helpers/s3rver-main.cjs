// s3rver in a process of its own, started by test/helpers/s3rver.ts with Node's legacy OpenSSL
// provider (s3rver encrypts its continuation tokens with DES). Usage: node
// --openssl-legacy-provider s3rver-main.cjs <directory> <bucket>; prints "ready <port>" once listening.
const S3rver = require('s3rver');

const [directory, bucket] = process.argv.slice(2);
const server = new S3rver({
  port: 0,
  address: '127.0.0.1',
  silent: true,
  directory,
  configureBuckets: [{ name: bucket }],
});
server.run().then(
  ({ port }) => process.stdout.write(`ready ${port}\n`),
  (err) => {
    process.stderr.write(`s3rver failed to start: ${err.stack || err}\n`);
    process.exit(1);
  },
);
process.on('SIGTERM', () => server.close().then(() => process.exit(0)));
