import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import nodemailer, { type Transporter } from 'nodemailer';
import type { Config } from '../config.js';
import type { Logger } from './logger.js';

export interface Mail {
  to: string;
  subject: string;
  text: string;
}

export interface Mailer {
  /** Sends one mail; throws when the server refuses it or cannot be reached. */
  send(mail: Mail): Promise<void>;
  close(): void;
}

/**
 * Mail through the SMTP server at SMTP_URL. Without one (the embedded start, a first try of the API),
 * nodemailer still builds the real message, and it is written to DATA_DIR/mail as an .eml file any mail
 * program opens; in development its text goes to the log too, so a reset link is one copy away.
 */
export function createMailer(config: Config, logger: Logger): Mailer {
  const { smtpUrl, from, dir } = config.mail;
  if (smtpUrl !== undefined) {
    const transport: Transporter = nodemailer.createTransport(smtpUrl);
    return {
      async send(mail) {
        await transport.sendMail({ from, ...mail });
      },
      close: () => transport.close(),
    };
  }
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    async send(mail) {
      const info = await transport.sendMail({ from, ...mail });
      await mkdir(dir, { recursive: true });
      const file = path.join(dir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomUUID()}.eml`);
      await writeFile(file, info.message as Buffer, { mode: 0o600 });
      logger.info(
        {
          mail: {
            to: mail.to,
            subject: mail.subject,
            file,
            ...(config.env === 'development' && { text: mail.text }),
          },
        },
        'mail written to a file (SMTP_URL is unset)',
      );
    },
    close: () => transport.close(),
  };
}
