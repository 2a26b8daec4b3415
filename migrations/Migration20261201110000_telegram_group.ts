import { Migration } from '@mikro-orm/migrations';

/**
 * A family's Telegram group chat: members record there and budget alerts go there. One family per
 * group; a family may have several groups.
 */
export class Migration20261201110000_telegram_group extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table if not exists telegram_group (
        id uuid primary key,
        family_id uuid not null references family (id) on delete cascade,
        chat_id bigint not null unique,
        title text not null,
        connected_by_id uuid not null references app_user (id) on delete cascade,
        connected_at timestamptz not null
      )`,
    );
    this.addSql(`create index if not exists telegram_group_family_idx on telegram_group (family_id)`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists telegram_group`);
  }
}
