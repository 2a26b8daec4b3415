import { Composer } from 'telegraf';
import { CreateInviteDocument, FamilyDocument, LogoutDocument } from '../api/generated/graphql.js';
import type { BotContext } from '../context.js';

/** The household: /family (members and an invite deep link) and /logout. */
export const familyComposer = new Composer<BotContext>();

familyComposer.command('family', async (ctx) => {
  const { me } = await ctx.user(FamilyDocument, {});
  const family = me.defaultFamily;
  if (family == null) {
    await ctx.reply(ctx.t('family.none'));
    return;
  }
  const members = family.members.map(
    (m) =>
      `• ${[m.user.firstName, m.user.lastName].filter(Boolean).join(' ')} (${ctx.t(`family.roles.${m.role}`)})`,
  );
  let invite = '';
  if (family.myRole === 'OWNER' || family.myRole === 'ADMIN') {
    const { createInvite } = await ctx.user(CreateInviteDocument, {
      input: { familyId: family.id, role: 'MEMBER', expiresInHours: 168, maxUses: 1 },
    });
    invite = `\n\n${ctx.t('family.invite')}\nhttps://t.me/${ctx.botInfo.username}?start=join_${createInvite.code}`;
  }
  await ctx.reply(`${family.name}\n${members.join('\n')}${invite}`);
});

familyComposer.command('logout', async (ctx) => {
  await ctx.user(LogoutDocument, {}).catch(() => undefined);
  await ctx.deps.sessions.clear(ctx.chatId, true);
  await ctx.reply(ctx.t('family.signedOut'));
});
