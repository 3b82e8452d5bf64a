// The floor any Node relay pays: a keep-alive pass-through proxy in a few lines of node:http.
import { Agent, createServer, request } from 'node:http';

const target = Number(process.argv[2]);
const agent = new Agent({ keepAlive: true, maxSockets: 256 });

const server = createServer((req, res) => {
  const up = request({ host: '127.0.0.1', port: target, method: req.method, path: req.url, headers: req.headers, agent }, (upRes) => {
    res.writeHead(upRes.statusCode ?? 502, upRes.headers);
    upRes.pipe(res);
  });
  up.on('error', () => {
    res.writeHead(502);
    res.end();
  });
  req.pipe(up);
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.stderr.write(`READY ${(server.address() as { port: number }).port}\n`);
});
