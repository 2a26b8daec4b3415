import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { guardedLookup, refusedAddress, RefusedAddressError } from './webhook.address.js';
import { sign } from './webhook.signature.js';

export interface SendOutcome {
  ok: boolean;
  /** The receiver's status code, when it answered. */
  statusCode: number | null;
  /** Why it failed, when it did. */
  error: string | null;
}

export interface SenderOptions {
  allowLoopback: boolean;
  timeoutMs: number;
  maxResponseBytes: number;
  /** Name resolution (tests may give their own); every address it answers is checked. */
  resolve?: LookupFunction;
}

/**
 * Posts one signed delivery (Standard Webhooks) and reports what happened; never throws. The connection
 * goes only to an address that passed the SSRF check (the lookup is pinned: the address checked is the
 * address connected to), redirects are not followed, the whole exchange is bounded by `timeoutMs`, and at
 * most `maxResponseBytes` of the answer are read.
 */
export class WebhookSender {
  private readonly lookup: LookupFunction;
  private readonly agents: { http: http.Agent; https: https.Agent };

  constructor(private readonly options: SenderOptions) {
    this.lookup = guardedLookup(options.allowLoopback, options.resolve);
    this.agents = {
      http: new http.Agent({ keepAlive: true, maxSockets: 64 }),
      https: new https.Agent({ keepAlive: true, maxSockets: 64 }),
    };
  }

  close(): void {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }

  send(
    url: string,
    secret: string,
    message: { id: string; timestamp: number; body: string },
  ): Promise<SendOutcome> {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      return Promise.resolve({ ok: false, statusCode: null, error: 'invalid URL' });
    }
    if (target.protocol !== 'http:' && target.protocol !== 'https:') {
      return Promise.resolve({
        ok: false,
        statusCode: null,
        error: 'only http and https URLs are delivered',
      });
    }
    // A literal address is connected to without any lookup: check it here.
    const host = target.hostname.replace(/^\[|\]$/g, '');
    if (isIP(host) !== 0) {
      const why = refusedAddress(host, this.options.allowLoopback);
      if (why !== null) return Promise.resolve({ ok: false, statusCode: null, error: `refused: ${why}` });
    }
    const secure = target.protocol === 'https:';
    return new Promise((resolve) => {
      let settled = false;
      const finish = (outcome: SendOutcome) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(outcome);
      };
      const request = (secure ? https : http).request(
        target,
        {
          method: 'POST',
          agent: secure ? this.agents.https : this.agents.http,
          lookup: this.lookup,
          headers: {
            'content-type': 'application/json',
            'user-agent': 'family-finance-webhooks/1',
            'webhook-id': message.id,
            'webhook-timestamp': String(message.timestamp),
            'webhook-signature': sign(secret, message.id, message.timestamp, message.body),
          },
        },
        (response) => {
          const status = response.statusCode ?? 0;
          let read = 0;
          response.on('data', (chunk: Buffer) => {
            read += chunk.length;
            // Enough of the answer: the rest is not read.
            if (read > this.options.maxResponseBytes) response.destroy();
          });
          const done = () => {
            if (status >= 200 && status < 300) finish({ ok: true, statusCode: status, error: null });
            else if (status >= 300 && status < 400) {
              finish({ ok: false, statusCode: status, error: 'redirects are not followed' });
            } else finish({ ok: false, statusCode: status, error: `HTTP ${status}` });
          };
          response.on('end', done);
          response.on('close', done);
          response.on('error', done);
        },
      );
      const timer = setTimeout(() => {
        request.destroy(new Error(`no answer within ${this.options.timeoutMs} ms`));
      }, this.options.timeoutMs);
      request.on('error', (error) => {
        const refused = error instanceof RefusedAddressError || error.cause instanceof RefusedAddressError;
        finish({ ok: false, statusCode: null, error: refused ? `refused: ${error.message}` : error.message });
      });
      request.end(message.body);
    });
  }
}
