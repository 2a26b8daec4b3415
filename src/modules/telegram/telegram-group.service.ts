import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Deps } from '../../deps.js';
import { badInput, forbidden, notFound } from '../../shared/errors.js';
import type { FamilyAccess } from '../family/family-access.js';
import { Role } from '../family/family.entity.js';
import { readTelegramGroup, type TelegramGroupRow } from './telegram-group.read.js';
import type { ConnectTelegramGroupInput } from './telegram-group.types.js';
import { parseChatId } from './telegram.service.js';

const TITLE_MAX = 128;

/**
 * A family's Telegram groups. Only an owner or admin connects or disconnects one, and only through the
 * bot (its credential with the user's token): the bot has seen the command in that group, from that
 * user, and the confirmation in their private chat, which a user token alone cannot show.
 */
export class TelegramGroupService {
  constructor(
    private readonly deps: Deps,
    private readonly em: EntityManager,
    private readonly access: FamilyAccess,
  ) {}

  async connect(input: ConnectTelegramGroupInput, viaBot: boolean): Promise<TelegramGroupRow> {
    if (!viaBot) throw forbidden('Groups are connected from Telegram: send /connect in the group.');
    const familyId = await this.access.family(input.familyId, Role.ADMIN, 'input.familyId');
    const chatId = groupChatId(input.chatId, 'input.chatId');
    const title = input.title.trim();
    if (title === '' || [...title].length > TITLE_MAX) {
      throw badInput('input.title', `The title must be 1 to ${TITLE_MAX} characters.`);
    }
    // A group connected to another family stays there until an admin of that family disconnects it; to
    // anyone else it is NOT_FOUND, like every other family's object (A2).
    const rows = await this.em.execute<{ id: string }[]>(
      `insert into telegram_group (id, family_id, chat_id, title, connected_by_id, connected_at)
       values (?, ?, ?, ?, ?, ?)
       on conflict (chat_id) do update set title = excluded.title
         where telegram_group.family_id = excluded.family_id
       returning id`,
      [randomUUID(), familyId, chatId, title, this.access.userId, this.deps.clock.now().toISOString()],
    );
    if (rows.length === 0) throw notFound('Telegram group', 'input.chatId');
    return (await readTelegramGroup(this.em, chatId))!;
  }

  async disconnect(chatId: string, viaBot: boolean): Promise<boolean> {
    if (!viaBot) throw forbidden('Groups are disconnected from Telegram: send /disconnect in the group.');
    const group = await readTelegramGroup(this.em, groupChatId(chatId, 'chatId'));
    // Another family's group is NOT_FOUND, as if it were not connected (A2).
    if (group === null || (await this.access.roleIn(group.familyId)) === undefined) {
      throw notFound('Telegram group', 'chatId');
    }
    await this.access.family(group.familyId, Role.ADMIN);
    await this.em.execute(`delete from telegram_group where id = ?`, [group.id]);
    return true;
  }
}

/** A group's chat id: Telegram gives groups negative ids. */
function groupChatId(value: string, field: string): string {
  const id = parseChatId(value, field);
  if (!id.startsWith('-')) throw badInput(field, 'Not a group chat id.');
  return id;
}
