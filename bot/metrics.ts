import { createServer, type Server } from 'node:http';
import { Counter, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics of one bot process: updates handled and outbox notifications delivered. */
export class BotMetrics {
  readonly registry = new Registry();

  readonly updates = new Counter({
    name: 'bot_updates_total',
    help: 'Telegram updates handled, by update type and outcome',
    labelNames: ['type', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly notifications = new Counter({
    name: 'bot_notifications_delivered_total',
    help: 'Outbox notifications delivered to Telegram, by kind',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** GET /metrics on its own port, for the scraper; nothing else is served there. */
  async serve(host: string, port: number): Promise<Server> {
    const server = createServer((req, res) => {
      if (req.method !== 'GET' || req.url !== '/metrics') {
        res.writeHead(404).end();
        return;
      }
      this.registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': this.registry.contentType }).end(text),
        () => res.writeHead(500).end(),
      );
    });
    await new Promise<void>((resolve) => server.listen(port, host, resolve));
    return server;
  }
}
