import { Composer } from 'telegraf';
import { BudgetsDocument, GoalsDocument, SpendingReportDocument } from '../api/generated/graphql.js';
import type { BotContext } from '../context.js';
import { formatMoney, monthArgument, progressBar } from '../replies/format.js';

/** Read-only views: /report [month], /budget, /goals. */
export const reportsComposer = new Composer<BotContext>();

reportsComposer.command('report', async (ctx) => {
  const from = monthArgument(ctx.payload);
  if (from === null) {
    await ctx.reply('Which month? For example /report march or /report 2025-03.');
    return;
  }
  const { spendingByCategory: report } = await ctx.user(SpendingReportDocument, { from: from ?? null });
  const lines = report.categories.map((c) => {
    const budget = c.budget?.percentUsed ? ` (${c.budget.percentUsed}% of budget)` : '';
    return `• ${c.category?.name ?? 'Uncategorized'}: ${formatMoney(c.spent)}${budget}`;
  });
  const missing =
    report.missingRates.length > 0
      ? `\nNot counted (no exchange rate): ${report.missingRates.join(', ')}`
      : '';
  await ctx.reply(
    [
      `Spending ${report.period.start} – ${report.period.end}: ${formatMoney(report.total)}`,
      ...(lines.length > 0 ? lines : ['Nothing spent yet.']),
    ].join('\n') + missing,
  );
});

reportsComposer.command('budget', async (ctx) => {
  const { budgets } = await ctx.user(BudgetsDocument, {});
  if (budgets.length === 0) {
    await ctx.reply('No budgets yet. Create them in the app, e.g. 400 a month for groceries.');
    return;
  }
  const lines = budgets.map((b) => {
    const name = b.budget.category?.name ?? 'All spending';
    const state = b.remaining.amount.startsWith('-')
      ? `${formatMoney({ ...b.remaining, amount: b.remaining.amount.slice(1) })} over`
      : `${formatMoney(b.remaining)} left`;
    return `${name}\n${progressBar(b.percentUsed)} ${b.percentUsed ?? '–'}%\n${b.spent.amount} of ${formatMoney(b.available)} · ${state}`;
  });
  await ctx.reply(`Budgets ${budgets[0]!.period.start} – ${budgets[0]!.period.end}\n\n${lines.join('\n\n')}`);
});

reportsComposer.command('goals', async (ctx) => {
  const { goals } = await ctx.user(GoalsDocument, {});
  if (goals.length === 0) {
    await ctx.reply('No savings goals yet. Create one in the app.');
    return;
  }
  const lines = goals.map((g) => {
    const pace = g.monthlyNeeded
      ? `\n${formatMoney(g.monthlyNeeded)} a month to reach it by ${g.goal.deadline}`
      : '';
    return `${g.goal.name}\n${progressBar(g.percentComplete)} ${g.percentComplete}%\n${g.saved.amount} of ${formatMoney(g.goal.target)}${pace}`;
  });
  await ctx.reply(lines.join('\n\n'));
});
