import type { EntityManager } from '@mikro-orm/postgresql';
import type { Config } from '../../config.js';
import type { Orm } from '../../db/orm.js';
import type { BackgroundTasks } from '../../shared/background.js';
import type { Clock } from '../../shared/clock.js';
import type { Mailer } from '../../shared/mailer.js';
import { issueEmailToken } from './email-token.js';

interface Recipient {
  id: string;
  email: string;
  first_name: string;
  email_verified: boolean;
}

/**
 * The mails the account sends: a link to confirm an address, a link to reset a password. They are sent
 * in the background, after the request that caused them has answered: the answer then takes the same time
 * whether or not a mail goes out (E1), and a slow or failing mail server never fails a sign-up.
 */
export class AccountMail {
  constructor(
    private readonly deps: {
      orm: Orm;
      clock: Clock;
      config: Config;
      mailer: Mailer;
      background: BackgroundTasks;
    },
  ) {}

  /** After a commit that gave the user a new, unverified address. */
  sendVerification(userId: string): void {
    this.deps.background.run('verification mail', async () => {
      const user = await this.recipient({ id: userId });
      if (user !== null && !user.email_verified) await this.sendVerificationTo(user);
    });
  }

  /** A new verification link for an address that has not been confirmed; nothing for any other. */
  resendVerification(email: string): void {
    this.deps.background.run('verification mail', async () => {
      const user = await this.recipient({ email });
      if (user !== null && !user.email_verified) await this.sendVerificationTo(user);
    });
  }

  /** A reset link, only to a confirmed address (E3): an unconfirmed one may not be the owner's. */
  sendPasswordReset(email: string): void {
    this.deps.background.run('password reset mail', async () => {
      const user = await this.recipient({ email });
      if (user === null || !user.email_verified) return;
      const token = await issueEmailToken(this.em(), user, 'password_reset', this.deps.clock.now(), this.ttl);
      await this.deps.mailer.send({
        to: user.email,
        subject: 'Reset your Family Finance password',
        text: [
          `Hello ${user.first_name},`,
          '',
          'Someone, hopefully you, asked to reset the password of your Family Finance account.',
          `To choose a new one, open this link within ${this.minutes} minutes:`,
          '',
          `${this.deps.config.publicUrl}/reset#token=${token}`,
          '',
          'Choosing a new password signs you out everywhere. If you did not ask for this, ignore this',
          'mail: your password stays as it is.',
        ].join('\n'),
      });
    });
  }

  private async sendVerificationTo(user: Recipient): Promise<void> {
    const token = await issueEmailToken(
      this.em(),
      user,
      'email_verification',
      this.deps.clock.now(),
      this.ttl,
    );
    await this.deps.mailer.send({
      to: user.email,
      subject: 'Confirm your email address for Family Finance',
      text: [
        `Hello ${user.first_name},`,
        '',
        'Please confirm that this is your email address, so that you can sign in with it and reset your',
        `password if you ever forget it. Open this link within ${this.minutes} minutes:`,
        '',
        `${this.deps.config.publicUrl}/verify#token=${token}`,
        '',
        'If you did not create a Family Finance account, ignore this mail.',
      ].join('\n'),
    });
  }

  private async recipient(by: { id: string } | { email: string }): Promise<Recipient | null> {
    const [column, value] = 'id' in by ? ['id', by.id] : ['email', by.email];
    const rows = await this.em().execute<Recipient[]>(
      `select id, email, first_name, email_verified from app_user where ${column} = ? and email is not null`,
      [value],
    );
    return rows[0] ?? null;
  }

  private em(): EntityManager {
    return this.deps.orm.em.fork() as EntityManager;
  }

  private get ttl(): number {
    return this.deps.config.emailTokenTtlSeconds;
  }

  private get minutes(): number {
    return Math.round(this.ttl / 60);
  }
}
