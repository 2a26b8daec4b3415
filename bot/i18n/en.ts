/** The bot's English replies. Every other language has the same keys (checked by the type). */
export const en = {
  errors: {
    badInput: "That doesn't look right: {{message}}",
    notFound: "I couldn't find that. It may have been deleted.",
    forbidden: "Your role in this family doesn't allow that. Ask an owner or admin.",
    tooMany: 'That was a lot at once. Please wait a minute and try again.',
    sessionEnded: 'Your session has ended. Send /start to connect again.',
    notConnected: "You're not connected yet. Send /start to register in one tap or link an existing account.",
    unlinked:
      'Your Telegram account is no longer connected to Family Finance. Send /start to register or link it again.',
    unavailable: 'The finance service is not reachable right now. Please try again in a moment.',
    privateOnly: 'Please talk to me in a private chat for that: tap my name and press Start.',
  },
  start: {
    guestHelp:
      "I keep your family's money in order, right here in Telegram.\n" +
      'Quick register: one tap, and you get your own family with a cash account.\n' +
      'Link account: already using Family Finance with an email? Link this Telegram account to it.',
    connectedHelp:
      'Here is what I can do:\n' +
      '/add 12.50 groceries coffee beans — record an expense (12+8 works too)\n' +
      '/income 2500 salary — record income\n' +
      '/undo — undo the last entry\n' +
      '/balance — accounts and net worth\n' +
      '/report [month] — spending by category, e.g. /report march\n' +
      '/budget — how the budgets stand\n' +
      '/recurring — recurring transactions; pause or resume one\n' +
      '/goals — savings goals\n' +
      '/family — members and an invite link\n' +
      '/language — English or Russian\n' +
      '/logout — sign this chat out\n' +
      'Or just write it the way you would say it: "coffee 3.50", "yesterday taxi 20", "+2000 salary".',
    quickRegister: 'Quick register',
    linkAccount: 'Link account',
    connectFirstJoin: 'Connect first; then I will add you to the family you were invited to.',
    hi: "Hi {{name}}! You're connected to {{family}}.",
    yourFamily: 'your family',
    welcome:
      'Welcome, {{name}}! Your family is ready, with a Cash account and the usual categories.\n\nTry: /add 12.50 groceries',
    linkPrompt:
      'Open this page, sign in with your email and password, and confirm. I will tell you here when it is done. ' +
      'The link works for 10 minutes.',
    linkButton: 'Link my account',
    joined: 'You joined {{family}}. Welcome!',
    entryKept:
      'I will keep "{{text}}" for you. Connect first (one tap below), then I will offer to record it.',
    entryOffer: 'Before you connected you sent "{{text}}". Record it now?',
    recordIt: 'Record it',
    discard: 'Forget it',
    discarded: 'Forgotten.',
  },
  ledger: {
    usageExpense: 'Write the amount and what it was for, e.g. /add 12.50 groceries coffee beans',
    usageIncome: 'Write the amount and where it came from, e.g. /income 2500 salary',
    nothingToUndo: 'Nothing to undo.',
    undoneLast: 'Undone: the last entry is deleted and the balance is back.',
    undone: 'Undone: the entry is deleted and the balance is back.',
    undo: 'Undo',
    recorded: 'Recorded {{parts}}',
    whichCategory: 'Which category for {{amount}} {{currency}}?',
    whichOne: 'Which one do you mean for {{amount}} {{currency}}?',
    narrowed: 'Which category for {{amount}} {{currency}}? Matching "{{word}}":',
    more: 'More ›',
    back: '‹ Back',
    noAccount: 'You have no account in {{currency}}. Add one in the app first.',
    tooLarge: 'That amount is too large to record. Please check it and send it again.',
    tooPrecise: 'That amount has more decimal places than the currency allows. Please check it.',
    notPositive: 'The amount must be more than zero.',
    pickExpired: 'This choice has expired; send the entry again.',
    netWorth: 'Net worth: {{total}}',
    withoutRates: ' (without {{codes}}: no rate)',
  },
  chat: {
    greeting:
      'Hi! Send me what you spent, like "coffee 3.50" or "yesterday taxi 20", or "+2000 salary" for income.',
    notUnderstood:
      'I did not find an amount in that. Write an expense like "lunch 12.50" or income like "+2000 salary"; /help shows everything I can do.',
    unknownCommand: "I don't know that command.",
    thanks: 'You are welcome!',
  },
  reports: {
    whichMonth: 'Which month? For example /report march or /report 2025-03.',
    spending: 'Spending {{start}} – {{end}}: {{total}}',
    uncategorized: 'Uncategorized',
    ofBudget: ' ({{percent}}% of budget)',
    nothingSpent: 'Nothing spent yet.',
    notCounted: 'Not counted (no exchange rate): {{codes}}',
    noBudgets: 'No budgets yet. Create them in the app, e.g. 400 a month for groceries.',
    allSpending: 'All spending',
    over: '{{amount}} over',
    left: '{{amount}} left',
    budgetLine: '{{spent}} of {{available}} · {{state}}',
    budgets: 'Budgets {{start}} – {{end}}',
    noGoals: 'No savings goals yet. Create one in the app.',
    pace: '{{amount}} a month to reach it by {{deadline}}',
    goalLine: '{{saved}} of {{target}}',
  },
  family: {
    none: 'You are not in a family any more. Ask for an invite link.',
    invite: 'Invite one person (valid 7 days):',
    signedOut: 'Signed out of this chat. Send /start to connect again.',
    roles: { OWNER: 'owner', ADMIN: 'admin', MEMBER: 'member', VIEWER: 'viewer' },
  },
  due: {
    expense: 'Scheduled expense',
    income: 'Scheduled income',
    today: '{{title}} {{amount}} is due today',
    late: '{{title}} {{amount}} was due on {{date}}',
    record: 'Record',
    skip: 'Skip',
    edit: 'Edit',
    skipped: 'Skipped: {{title}} {{amount}} on {{date}}. Nothing was recorded.',
    answered: '{{title}} on {{date}} was already recorded or skipped.',
    expired: 'I no longer have the details of this one; answer it in the app.',
    askAmount: 'How much was {{title}} on {{date}}? Write the amount in {{currency}}.',
    askRange: 'How much was {{title}} on {{date}}? Between {{min}} and {{max}} {{currency}}.',
    outOfRange: 'Please write an amount between {{min}} and {{max}} {{currency}}.',
  },
  recurring: {
    none: 'No recurring transactions yet. Create them in the app (rent, salary, subscriptions).',
    title: 'Recurring transactions:',
    line: '{{title}}: {{amount}}, {{rule}}\n   {{state}} · {{mode}}',
    next: 'next {{date}}',
    ended: 'ended',
    paused: 'paused',
    autoPost: 'recorded automatically',
    askFirst: 'asks first',
    pause: 'Pause {{title}}',
    resume: 'Resume {{title}}',
    pausedDone: 'Paused: {{title}}.',
    resumedDone: 'Resumed: {{title}}.',
  },
  notify: {
    linked: 'Linked! This Telegram account now uses your Family Finance account, {{name}}. Try /balance.',
    exceeded: 'Budget exceeded: {{name}}',
    used: 'Budget {{threshold}}% used: {{name}}',
    budgetDetail: '{{spent}} of {{available}} ({{percent}}%) for {{start}} – {{end}}.',
    update: 'Update: {{kind}}',
  },
  group: {
    notConnected: 'This group is not connected to a family yet. An owner or admin can send /connect here.',
    checkPrivate: 'I sent you a private message: confirm there to connect this group.',
    startPrivateFirst:
      'Please start a private chat with me first (tap my name, then Start), then send /connect again.',
    onlyAdmins: 'Only an owner or admin of the family can connect a group.',
    confirm:
      'Connect the group "{{title}}" to {{family}}? Its members will record there, and budget alerts will go there.',
    connectButton: 'Connect',
    cancelButton: 'Cancel',
    connected: 'Connected: "{{title}}" now belongs to {{family}}.',
    announce:
      'This group is now connected to {{family}}. Members record here, e.g. "250 groceries" (or /add 250 groceries), and see /balance, /report and /budget.',
    cancelled: 'Not connected.',
    expired: 'This request has expired; send /connect in the group again.',
    otherFamily:
      'This group is connected to another family. An admin of that family can /disconnect it first.',
    disconnected: 'This group is no longer connected to the family.',
    nudge: 'To record in your family group, connect first: send /start here (one tap).',
    nudgeHere: '{{name}}, to record here, connect first: open a private chat with me and send /start.',
    connectInGroup: 'Send /connect in the group you want to connect (add me to it first).',
  },
  commands: {
    start: 'Connect or see what I can do',
    add: 'Record an expense: /add 12.50 groceries',
    income: 'Record income: /income 2500 salary',
    undo: 'Undo the last entry',
    balance: 'Accounts and net worth',
    report: 'Spending by category: /report [month]',
    recurring: 'Recurring transactions: list, pause, resume',
    budget: 'How the budgets stand',
    goals: 'Savings goals',
    family: 'Members and an invite link',
    link: 'Link an existing email account',
    language: 'English or Russian',
    connect: 'In a group: connect it to your family',
    disconnect: 'In a group: disconnect it from the family',
    register: 'Register in one tap',
    help: 'What I can do',
    logout: 'Sign this chat out',
  },
  language: {
    choose: 'Choose the language of my replies:',
    set: 'From now on I reply in English.',
  },
};

type Strings<T> = { [K in keyof T]: T[K] extends string ? string : Strings<T[K]> };
export type Messages = Strings<typeof en>;
