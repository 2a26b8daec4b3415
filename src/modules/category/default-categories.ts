import { CategoryKind } from './category.entity.js';

export interface CategoryTemplate {
  kind: CategoryKind;
  name: string;
  aliases: string[];
  children?: Omit<CategoryTemplate, 'kind' | 'children'>[];
}

/** The categories a new family starts with; the aliases are the words the bot matches. */
export const DEFAULT_CATEGORIES: CategoryTemplate[] = [
  {
    kind: CategoryKind.EXPENSE,
    name: 'Food',
    aliases: ['food'],
    children: [
      { name: 'Groceries', aliases: ['grocery', 'supermarket', 'market', 'produce'] },
      { name: 'Eating out', aliases: ['restaurant', 'cafe', 'coffee', 'lunch', 'dinner', 'takeaway'] },
    ],
  },
  { kind: CategoryKind.EXPENSE, name: 'Housing', aliases: ['rent', 'mortgage', 'repairs'] },
  {
    kind: CategoryKind.EXPENSE,
    name: 'Utilities',
    aliases: ['electricity', 'water', 'gas bill', 'internet', 'phone', 'mobile'],
  },
  {
    kind: CategoryKind.EXPENSE,
    name: 'Transport',
    aliases: ['transport'],
    children: [
      { name: 'Fuel', aliases: ['petrol', 'gas', 'diesel', 'charging'] },
      { name: 'Public transport', aliases: ['bus', 'train', 'metro', 'tram', 'ticket'] },
      { name: 'Taxi', aliases: ['uber', 'cab', 'ride'] },
    ],
  },
  { kind: CategoryKind.EXPENSE, name: 'Health', aliases: ['pharmacy', 'doctor', 'medicine', 'dentist'] },
  { kind: CategoryKind.EXPENSE, name: 'Kids', aliases: ['school', 'childcare', 'toys', 'kindergarten'] },
  { kind: CategoryKind.EXPENSE, name: 'Shopping', aliases: ['clothes', 'shoes', 'electronics'] },
  {
    kind: CategoryKind.EXPENSE,
    name: 'Entertainment',
    aliases: ['cinema', 'movies', 'games', 'subscription', 'streaming'],
  },
  {
    kind: CategoryKind.EXPENSE,
    name: 'Travel',
    aliases: ['hotel', 'flight', 'flights', 'vacation', 'holiday'],
  },
  { kind: CategoryKind.EXPENSE, name: 'Gifts', aliases: ['gift', 'present', 'donation'] },
  { kind: CategoryKind.EXPENSE, name: 'Other', aliases: ['misc'] },
  { kind: CategoryKind.INCOME, name: 'Salary', aliases: ['wage', 'wages', 'paycheck', 'pay'] },
  { kind: CategoryKind.INCOME, name: 'Bonus', aliases: [] },
  { kind: CategoryKind.INCOME, name: 'Gifts received', aliases: [] },
  { kind: CategoryKind.INCOME, name: 'Other income', aliases: ['refund', 'interest'] },
];
