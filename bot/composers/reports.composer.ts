import { Composer } from 'telegraf';
import { BudgetsDocument, GoalsDocument, SpendingReportDocument } from '../api/generated/graphql.js';
import type { BotContext } from '../context.js';
import { formatMoney, monthArgument, progressBar } from '../replies/format.js';

/** Read-only views: /report [month], /budget, /goals. */
export const reportsComposer = new Composer<BotContext>();

reportsComposer.command('report', async (ctx) => {
  const from = monthArgument(ctx.payload);
  if (from === null) {
    await ctx.reply(ctx.t('reports.whichMonth'));
    return;
  }
  const { spendingByCategory: report } = await ctx.actor(SpendingReportDocument, {
    from: from ?? null,
    familyId: ctx.groupFamilyId ?? null,
  });
  const lines = report.categories.map((c) => {
    const budget = c.budget?.percentUsed ? ctx.t('reports.ofBudget', { percent: c.budget.percentUsed }) : '';
    return `• ${c.category?.name ?? ctx.t('reports.uncategorized')}: ${formatMoney(c.spent)}${budget}`;
  });
  const missing =
    report.missingRates.length > 0
      ? `\n${ctx.t('reports.notCounted', { codes: report.missingRates.join(', ') })}`
      : '';
  const { start, end } = report.period;
  await ctx.reply(
    [
      ctx.t('reports.spending', { start, end, total: formatMoney(report.total) }),
      ...(lines.length > 0 ? lines : [ctx.t('reports.nothingSpent')]),
    ].join('\n') + missing,
  );
});

reportsComposer.command('budget', async (ctx) => {
  const { budgets } = await ctx.actor(BudgetsDocument, { familyId: ctx.groupFamilyId ?? null });
  if (budgets.length === 0) {
    await ctx.reply(ctx.t('reports.noBudgets'));
    return;
  }
  const lines = budgets.map((b) => {
    const name = b.budget.category?.name ?? ctx.t('reports.allSpending');
    const state = b.remaining.amount.startsWith('-')
      ? ctx.t('reports.over', {
          amount: formatMoney({ ...b.remaining, amount: b.remaining.amount.slice(1) }),
        })
      : ctx.t('reports.left', { amount: formatMoney(b.remaining) });
    const line = ctx.t('reports.budgetLine', {
      spent: b.spent.amount,
      available: formatMoney(b.available),
      state,
    });
    return `${name}\n${progressBar(b.percentUsed)} ${b.percentUsed ?? '–'}%\n${line}`;
  });
  const { start, end } = budgets[0]!.period;
  await ctx.reply(`${ctx.t('reports.budgets', { start, end })}\n\n${lines.join('\n\n')}`);
});

reportsComposer.command('goals', async (ctx) => {
  const { goals } = await ctx.user(GoalsDocument, {});
  if (goals.length === 0) {
    await ctx.reply(ctx.t('reports.noGoals'));
    return;
  }
  const lines = goals.map((g) => {
    const pace = g.monthlyNeeded
      ? `\n${ctx.t('reports.pace', { amount: formatMoney(g.monthlyNeeded), deadline: g.goal.deadline })}`
      : '';
    const line = ctx.t('reports.goalLine', { saved: g.saved.amount, target: formatMoney(g.goal.target) });
    return `${g.goal.name}\n${progressBar(g.percentComplete)} ${g.percentComplete}%\n${line}${pace}`;
  });
  await ctx.reply(lines.join('\n\n'));
});
