import { EventEmitter } from 'node:events';
import type { AddressInfo } from 'node:net';
import { domainToASCII } from 'node:url';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  /** Envelope recipients, lower-cased, domains in ASCII. */
  to: string[];
  from: string;
  subject: string;
  text: string;
  /** The message as it arrived, headers and all. */
  raw: string;
}

/**
 * A real SMTP server in the test process (smtp-server), receiving what the app sends through nodemailer
 * over TCP, parsed with mailparser. No transport is mocked: the app is configured with SMTP_URL and talks
 * SMTP to it like to Mailpit or a provider.
 */
export interface Mailbox {
  /** smtp://127.0.0.1:<port> */
  url: string;
  messages: ReceivedMail[];
  /** The first mail to `address` (from `since` on) that `match` accepts; waits up to `timeoutMs`. */
  next(
    address: string,
    options?: { match?: (mail: ReceivedMail) => boolean; timeoutMs?: number; since?: number },
  ): Promise<ReceivedMail>;
  close(): Promise<void>;
}

/**
 * `acceptDelayMs`: how long the server takes to accept each message, like a slow or distant mail server.
 * A request that waited for its mail to be sent would take that much longer.
 */
export async function startMailbox(options: { acceptDelayMs?: number } = {}): Promise<Mailbox> {
  const messages: ReceivedMail[] = [];
  const arrivals = new EventEmitter();
  arrivals.setMaxListeners(0);
  const server = new SMTPServer({
    // Plain SMTP on loopback: no TLS to negotiate, no login needed.
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        simpleParser(raw)
          .then((parsed) => {
            const mail: ReceivedMail = {
              to: session.envelope.rcptTo.map((r) => asciiAddress(r.address)),
              from: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
              subject: parsed.subject ?? '',
              text: parsed.text ?? '',
              raw: raw.toString('utf8'),
            };
            setTimeout(() => {
              messages.push(mail);
              arrivals.emit('mail', mail);
              callback();
            }, options.acceptDelayMs ?? 0);
          })
          .catch((error: unknown) => callback(error as Error));
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;

  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    next(address, { match = () => true, timeoutMs = 15_000, since = 0 } = {}) {
      const wanted = (mail: ReceivedMail) => mail.to.includes(asciiAddress(address)) && match(mail);
      const already = messages.slice(since).find(wanted);
      if (already !== undefined) return Promise.resolve(already);
      return new Promise((resolve, reject) => {
        const onMail = (mail: ReceivedMail) => {
          if (!wanted(mail)) return;
          clearTimeout(timer);
          arrivals.off('mail', onMail);
          resolve(mail);
        };
        const timer = setTimeout(() => {
          arrivals.off('mail', onMail);
          reject(new Error(`no mail to ${address} within ${timeoutMs} ms`));
        }, timeoutMs);
        arrivals.on('mail', onMail);
      });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * An address lower-cased with its domain in ASCII: nodemailer hands an internationalized domain to the
 * server in Unicode (bücher.example), the API stores it as typed (xn--bcher-kva.example).
 */
function asciiAddress(address: string): string {
  const at = address.lastIndexOf('@');
  return `${address.slice(0, at)}@${domainToASCII(address.slice(at + 1))}`.toLowerCase();
}

/** The token of the `/verify` or `/reset` link in a mail. */
export function linkToken(mail: ReceivedMail, page: '/verify' | '/reset'): string {
  const match = new RegExp(`${page}#token=([A-Za-z0-9_-]+)`).exec(mail.text);
  if (match === null) throw new Error(`no ${page} link in: ${mail.text}`);
  return match[1]!;
}
