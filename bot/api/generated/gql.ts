/* eslint-disable */
import * as types from './graphql.js';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "query Accounts($familyId: ID) {\n  accounts(familyId: $familyId) {\n    id\n    name\n    currency\n    balance {\n      amount\n      currency\n    }\n  }\n  netWorth(familyId: $familyId) {\n    total {\n      amount\n      currency\n    }\n    missingRates\n  }\n}": typeof types.AccountsDocument,
    "mutation AcknowledgeNotifications($ids: [ID!]!) {\n  acknowledgeNotifications(ids: $ids)\n}": typeof types.AcknowledgeNotificationsDocument,
    "mutation BindingStart($input: BindingStartInput!) {\n  bindingStart(input: $input) {\n    url\n    expiresAt\n  }\n}": typeof types.BindingStartDocument,
    "query Budgets($familyId: ID) {\n  budgets(familyId: $familyId) {\n    budget {\n      id\n      category {\n        name\n      }\n    }\n    period {\n      start\n      end\n    }\n    spent {\n      amount\n      currency\n    }\n    available {\n      amount\n      currency\n    }\n    remaining {\n      amount\n      currency\n    }\n    percentUsed\n  }\n}": typeof types.BudgetsDocument,
    "query Categories($kind: CategoryKind) {\n  categories(kind: $kind) {\n    id\n    name\n    aliases\n    parentId\n  }\n}": typeof types.CategoriesDocument,
    "mutation ConnectTelegramGroup($input: ConnectTelegramGroupInput!) {\n  connectTelegramGroup(input: $input) {\n    id\n    chatId\n    title\n    familyId\n  }\n}": typeof types.ConnectTelegramGroupDocument,
    "mutation CreateInvite($input: CreateInviteInput!) {\n  createInvite(input: $input) {\n    code\n    invite {\n      expiresAt\n    }\n  }\n}": typeof types.CreateInviteDocument,
    "mutation CreateTransaction($input: CreateTransactionInput!) {\n  createTransaction(input: $input) {\n    id\n    kind\n    amount {\n      amount\n      currency\n    }\n    note\n    occurredOn\n    createdBy {\n      firstName\n    }\n    category {\n      id\n      name\n    }\n    account {\n      name\n      balance {\n        amount\n        currency\n      }\n    }\n  }\n}": typeof types.CreateTransactionDocument,
    "mutation DeleteTransaction($id: ID!) {\n  deleteTransaction(id: $id)\n}": typeof types.DeleteTransactionDocument,
    "mutation DisconnectTelegramGroup($chatId: ID!) {\n  disconnectTelegramGroup(chatId: $chatId)\n}": typeof types.DisconnectTelegramGroupDocument,
    "query EntryContext($familyId: ID) {\n  me {\n    defaultFamily {\n      id\n    }\n  }\n  families {\n    id\n    baseCurrency\n    timeZone\n  }\n  accounts(familyId: $familyId) {\n    id\n    name\n    currency\n  }\n  categories(familyId: $familyId) {\n    id\n    name\n    aliases\n    kind\n  }\n  transactions(familyId: $familyId, first: 100) {\n    edges {\n      node {\n        note\n        category {\n          id\n        }\n      }\n    }\n  }\n}": typeof types.EntryContextDocument,
    "query Family {\n  me {\n    defaultFamily {\n      id\n      name\n      myRole\n      members {\n        role\n        user {\n          firstName\n          lastName\n        }\n      }\n    }\n  }\n}": typeof types.FamilyDocument,
    "query Goals {\n  goals {\n    goal {\n      id\n      name\n      deadline\n      target {\n        amount\n        currency\n      }\n    }\n    saved {\n      amount\n      currency\n    }\n    percentComplete\n    monthlyNeeded {\n      amount\n      currency\n    }\n  }\n}": typeof types.GoalsDocument,
    "mutation JoinFamily($code: String!) {\n  joinFamily(code: $code) {\n    id\n    name\n  }\n}": typeof types.JoinFamilyDocument,
    "mutation Logout {\n  logout\n}": typeof types.LogoutDocument,
    "query Me {\n  me {\n    id\n    firstName\n    email\n    telegramId\n    defaultFamily {\n      id\n      name\n      baseCurrency\n    }\n  }\n}": typeof types.MeDocument,
    "query PendingNotifications($limit: Int!) {\n  pendingNotifications(limit: $limit) {\n    id\n    kind\n    telegramId\n    payload\n  }\n}": typeof types.PendingNotificationsDocument,
    "mutation RecordScheduledOccurrence($scheduleId: ID!, $occursOn: LocalDate!, $amount: Decimal) {\n  recordScheduledOccurrence(\n    scheduleId: $scheduleId\n    occursOn: $occursOn\n    amount: $amount\n  ) {\n    id\n    occursOn\n    transaction {\n      id\n      kind\n      amount {\n        amount\n        currency\n      }\n      note\n      category {\n        name\n      }\n      account {\n        name\n        balance {\n          amount\n          currency\n        }\n      }\n    }\n  }\n}": typeof types.RecordScheduledOccurrenceDocument,
    "mutation RefreshToken($refreshToken: String!) {\n  refreshToken(refreshToken: $refreshToken) {\n    accessToken\n    refreshToken\n    expiresIn\n    user {\n      id\n      firstName\n      language\n    }\n  }\n}": typeof types.RefreshTokenDocument,
    "query Schedules($familyId: ID) {\n  schedules(familyId: $familyId) {\n    id\n    kind\n    mode\n    paused\n    nextOn\n    note\n    description\n    amount {\n      amount\n      currency\n    }\n    amountMax {\n      amount\n      currency\n    }\n    category {\n      name\n    }\n  }\n}": typeof types.SchedulesDocument,
    "mutation SetLanguage($language: String!) {\n  setLanguage(language: $language) {\n    id\n    language\n  }\n}": typeof types.SetLanguageDocument,
    "mutation SkipScheduledOccurrence($scheduleId: ID!, $occursOn: LocalDate!) {\n  skipScheduledOccurrence(scheduleId: $scheduleId, occursOn: $occursOn) {\n    id\n    occursOn\n  }\n}": typeof types.SkipScheduledOccurrenceDocument,
    "query SpendingReport($from: LocalDate, $familyId: ID) {\n  spendingByCategory(from: $from, familyId: $familyId) {\n    period {\n      start\n      end\n    }\n    total {\n      amount\n      currency\n    }\n    categories {\n      category {\n        name\n      }\n      spent {\n        amount\n        currency\n      }\n      budget {\n        percentUsed\n      }\n    }\n    missingRates\n  }\n}": typeof types.SpendingReportDocument,
    "query TelegramGroup($chatId: ID!) {\n  telegramGroup(chatId: $chatId) {\n    chatId\n    title\n    familyId\n  }\n}": typeof types.TelegramGroupDocument,
    "mutation TelegramLogin($telegramId: ID!) {\n  telegramLogin(telegramId: $telegramId) {\n    accessToken\n    refreshToken\n    expiresIn\n    user {\n      id\n      firstName\n      language\n    }\n  }\n}": typeof types.TelegramLoginDocument,
    "mutation TelegramRegister($input: TelegramRegisterInput!) {\n  telegramRegister(input: $input) {\n    accessToken\n    refreshToken\n    expiresIn\n    user {\n      id\n      firstName\n      language\n    }\n  }\n}": typeof types.TelegramRegisterDocument,
    "mutation UpdateSchedule($id: ID!, $input: UpdateScheduleInput!) {\n  updateSchedule(id: $id, input: $input) {\n    id\n    paused\n    nextOn\n  }\n}": typeof types.UpdateScheduleDocument,
};
const documents: Documents = {
    "query Accounts($familyId: ID) {\n  accounts(familyId: $familyId) {\n    id\n    name\n    currency\n    balance {\n      amount\n      currency\n    }\n  }\n  netWorth(familyId: $familyId) {\n    total {\n      amount\n      currency\n    }\n    missingRates\n  }\n}": types.AccountsDocument,
    "mutation AcknowledgeNotifications($ids: [ID!]!) {\n  acknowledgeNotifications(ids: $ids)\n}": types.AcknowledgeNotificationsDocument,
    "mutation BindingStart($input: BindingStartInput!) {\n  bindingStart(input: $input) {\n    url\n    expiresAt\n  }\n}": types.BindingStartDocument,
    "query Budgets($familyId: ID) {\n  budgets(familyId: $familyId) {\n    budget {\n      id\n      category {\n        name\n      }\n    }\n    period {\n      start\n      end\n    }\n    spent {\n      amount\n      currency\n    }\n    available {\n      amount\n      currency\n    }\n    remaining {\n      amount\n      currency\n    }\n    percentUsed\n  }\n}": types.BudgetsDocument,
    "query Categories($kind: CategoryKind) {\n  categories(kind: $kind) {\n    id\n    name\n    aliases\n    parentId\n  }\n}": types.CategoriesDocument,
    "mutation ConnectTelegramGroup($input: ConnectTelegramGroupInput!) {\n  connectTelegramGroup(input: $input) {\n    id\n    chatId\n    title\n    familyId\n  }\n}": types.ConnectTelegramGroupDocument,
    "mutation CreateInvite($input: CreateInviteInput!) {\n  createInvite(input: $input) {\n    code\n    invite {\n      expiresAt\n    }\n  }\n}": types.CreateInviteDocument,
    "mutation CreateTransaction($input: CreateTransactionInput!) {\n  createTransaction(input: $input) {\n    id\n    kind\n    amount {\n      amount\n      currency\n    }\n    note\n    occurredOn\n    createdBy {\n      firstName\n    }\n    category {\n      id\n      name\n    }\n    account {\n      name\n      balance {\n        amount\n        currency\n      }\n    }\n  }\n}": types.CreateTransactionDocument,
    "mutation DeleteTransaction($id: ID!) {\n  deleteTransaction(id: $id)\n}": types.DeleteTransactionDocument,
    "mutation DisconnectTelegramGroup($chatId: ID!) {\n  disconnectTelegramGroup(chatId: $chatId)\n}": types.DisconnectTelegramGroupDocument,
    "query EntryContext($familyId: ID) {\n  me {\n    defaultFamily {\n      id\n    }\n  }\n  families {\n    id\n    baseCurrency\n    timeZone\n  }\n  accounts(familyId: $familyId) {\n    id\n    name\n    currency\n  }\n  categories(familyId: $familyId) {\n    id\n    name\n    aliases\n    kind\n  }\n  transactions(familyId: $familyId, first: 100) {\n    edges {\n      node {\n        note\n        category {\n          id\n        }\n      }\n    }\n  }\n}": types.EntryContextDocument,
    "query Family {\n  me {\n    defaultFamily {\n      id\n      name\n      myRole\n      members {\n        role\n        user {\n          firstName\n          lastName\n        }\n      }\n    }\n  }\n}": types.FamilyDocument,
    "query Goals {\n  goals {\n    goal {\n      id\n      name\n      deadline\n      target {\n        amount\n        currency\n      }\n    }\n    saved {\n      amount\n      currency\n    }\n    percentComplete\n    monthlyNeeded {\n      amount\n      currency\n    }\n  }\n}": types.GoalsDocument,
    "mutation JoinFamily($code: String!) {\n  joinFamily(code: $code) {\n    id\n    name\n  }\n}": types.JoinFamilyDocument,
    "mutation Logout {\n  logout\n}": types.LogoutDocument,
    "query Me {\n  me {\n    id\n    firstName\n    email\n    telegramId\n    defaultFamily {\n      id\n      name\n      baseCurrency\n    }\n  }\n}": types.MeDocument,
    "query PendingNotifications($limit: Int!) {\n  pendingNotifications(limit: $limit) {\n    id\n    kind\n    telegramId\n    payload\n  }\n}": types.PendingNotificationsDocument,
    "mutation RecordScheduledOccurrence($scheduleId: ID!, $occursOn: LocalDate!, $amount: Decimal) {\n  recordScheduledOccurrence(\n    scheduleId: $scheduleId\n    occursOn: $occursOn\n    amount: $amount\n  ) {\n    id\n    occursOn\n    transaction {\n      id\n      kind\n      amount {\n        amount\n        currency\n      }\n      note\n      category {\n        name\n      }\n      account {\n        name\n        balance {\n          amount\n          currency\n        }\n      }\n    }\n  }\n}": types.RecordScheduledOccurrenceDocument,
    "mutation RefreshToken($refreshToken: String!) {\n  refreshToken(refreshToken: $refreshToken) {\n    accessToken\n    refreshToken\n    expiresIn\n    user {\n      id\n      firstName\n      language\n    }\n  }\n}": types.RefreshTokenDocument,
    "query Schedules($familyId: ID) {\n  schedules(familyId: $familyId) {\n    id\n    kind\n    mode\n    paused\n    nextOn\n    note\n    description\n    amount {\n      amount\n      currency\n    }\n    amountMax {\n      amount\n      currency\n    }\n    category {\n      name\n    }\n  }\n}": types.SchedulesDocument,
    "mutation SetLanguage($language: String!) {\n  setLanguage(language: $language) {\n    id\n    language\n  }\n}": types.SetLanguageDocument,
    "mutation SkipScheduledOccurrence($scheduleId: ID!, $occursOn: LocalDate!) {\n  skipScheduledOccurrence(scheduleId: $scheduleId, occursOn: $occursOn) {\n    id\n    occursOn\n  }\n}": types.SkipScheduledOccurrenceDocument,
    "query SpendingReport($from: LocalDate, $familyId: ID) {\n  spendingByCategory(from: $from, familyId: $familyId) {\n    period {\n      start\n      end\n    }\n    total {\n      amount\n      currency\n    }\n    categories {\n      category {\n        name\n      }\n      spent {\n        amount\n        currency\n      }\n      budget {\n        percentUsed\n      }\n    }\n    missingRates\n  }\n}": types.SpendingReportDocument,
    "query TelegramGroup($chatId: ID!) {\n  telegramGroup(chatId: $chatId) {\n    chatId\n    title\n    familyId\n  }\n}": types.TelegramGroupDocument,
    "mutation TelegramLogin($telegramId: ID!) {\n  telegramLogin(telegramId: $telegramId) {\n    accessToken\n    refreshToken\n    expiresIn\n    user {\n      id\n      firstName\n      language\n    }\n  }\n}": types.TelegramLoginDocument,
    "mutation TelegramRegister($input: TelegramRegisterInput!) {\n  telegramRegister(input: $input) {\n    accessToken\n    refreshToken\n    expiresIn\n    user {\n      id\n      firstName\n      language\n    }\n  }\n}": types.TelegramRegisterDocument,
    "mutation UpdateSchedule($id: ID!, $input: UpdateScheduleInput!) {\n  updateSchedule(id: $id, input: $input) {\n    id\n    paused\n    nextOn\n  }\n}": types.UpdateScheduleDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Accounts($familyId: ID) {\n  accounts(familyId: $familyId) {\n    id\n    name\n    currency\n    balance {\n      amount\n      currency\n    }\n  }\n  netWorth(familyId: $familyId) {\n    total {\n      amount\n      currency\n    }\n    missingRates\n  }\n}"): (typeof documents)["query Accounts($familyId: ID) {\n  accounts(familyId: $familyId) {\n    id\n    name\n    currency\n    balance {\n      amount\n      currency\n    }\n  }\n  netWorth(familyId: $familyId) {\n    total {\n      amount\n      currency\n    }\n    missingRates\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation AcknowledgeNotifications($ids: [ID!]!) {\n  acknowledgeNotifications(ids: $ids)\n}"): (typeof documents)["mutation AcknowledgeNotifications($ids: [ID!]!) {\n  acknowledgeNotifications(ids: $ids)\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation BindingStart($input: BindingStartInput!) {\n  bindingStart(input: $input) {\n    url\n    expiresAt\n  }\n}"): (typeof documents)["mutation BindingStart($input: BindingStartInput!) {\n  bindingStart(input: $input) {\n    url\n    expiresAt\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Budgets($familyId: ID) {\n  budgets(familyId: $familyId) {\n    budget {\n      id\n      category {\n        name\n      }\n    }\n    period {\n      start\n      end\n    }\n    spent {\n      amount\n      currency\n    }\n    available {\n      amount\n      currency\n    }\n    remaining {\n      amount\n      currency\n    }\n    percentUsed\n  }\n}"): (typeof documents)["query Budgets($familyId: ID) {\n  budgets(familyId: $familyId) {\n    budget {\n      id\n      category {\n        name\n      }\n    }\n    period {\n      start\n      end\n    }\n    spent {\n      amount\n      currency\n    }\n    available {\n      amount\n      currency\n    }\n    remaining {\n      amount\n      currency\n    }\n    percentUsed\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Categories($kind: CategoryKind) {\n  categories(kind: $kind) {\n    id\n    name\n    aliases\n    parentId\n  }\n}"): (typeof documents)["query Categories($kind: CategoryKind) {\n  categories(kind: $kind) {\n    id\n    name\n    aliases\n    parentId\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation ConnectTelegramGroup($input: ConnectTelegramGroupInput!) {\n  connectTelegramGroup(input: $input) {\n    id\n    chatId\n    title\n    familyId\n  }\n}"): (typeof documents)["mutation ConnectTelegramGroup($input: ConnectTelegramGroupInput!) {\n  connectTelegramGroup(input: $input) {\n    id\n    chatId\n    title\n    familyId\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation CreateInvite($input: CreateInviteInput!) {\n  createInvite(input: $input) {\n    code\n    invite {\n      expiresAt\n    }\n  }\n}"): (typeof documents)["mutation CreateInvite($input: CreateInviteInput!) {\n  createInvite(input: $input) {\n    code\n    invite {\n      expiresAt\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation CreateTransaction($input: CreateTransactionInput!) {\n  createTransaction(input: $input) {\n    id\n    kind\n    amount {\n      amount\n      currency\n    }\n    note\n    occurredOn\n    createdBy {\n      firstName\n    }\n    category {\n      id\n      name\n    }\n    account {\n      name\n      balance {\n        amount\n        currency\n      }\n    }\n  }\n}"): (typeof documents)["mutation CreateTransaction($input: CreateTransactionInput!) {\n  createTransaction(input: $input) {\n    id\n    kind\n    amount {\n      amount\n      currency\n    }\n    note\n    occurredOn\n    createdBy {\n      firstName\n    }\n    category {\n      id\n      name\n    }\n    account {\n      name\n      balance {\n        amount\n        currency\n      }\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation DeleteTransaction($id: ID!) {\n  deleteTransaction(id: $id)\n}"): (typeof documents)["mutation DeleteTransaction($id: ID!) {\n  deleteTransaction(id: $id)\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation DisconnectTelegramGroup($chatId: ID!) {\n  disconnectTelegramGroup(chatId: $chatId)\n}"): (typeof documents)["mutation DisconnectTelegramGroup($chatId: ID!) {\n  disconnectTelegramGroup(chatId: $chatId)\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query EntryContext($familyId: ID) {\n  me {\n    defaultFamily {\n      id\n    }\n  }\n  families {\n    id\n    baseCurrency\n    timeZone\n  }\n  accounts(familyId: $familyId) {\n    id\n    name\n    currency\n  }\n  categories(familyId: $familyId) {\n    id\n    name\n    aliases\n    kind\n  }\n  transactions(familyId: $familyId, first: 100) {\n    edges {\n      node {\n        note\n        category {\n          id\n        }\n      }\n    }\n  }\n}"): (typeof documents)["query EntryContext($familyId: ID) {\n  me {\n    defaultFamily {\n      id\n    }\n  }\n  families {\n    id\n    baseCurrency\n    timeZone\n  }\n  accounts(familyId: $familyId) {\n    id\n    name\n    currency\n  }\n  categories(familyId: $familyId) {\n    id\n    name\n    aliases\n    kind\n  }\n  transactions(familyId: $familyId, first: 100) {\n    edges {\n      node {\n        note\n        category {\n          id\n        }\n      }\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Family {\n  me {\n    defaultFamily {\n      id\n      name\n      myRole\n      members {\n        role\n        user {\n          firstName\n          lastName\n        }\n      }\n    }\n  }\n}"): (typeof documents)["query Family {\n  me {\n    defaultFamily {\n      id\n      name\n      myRole\n      members {\n        role\n        user {\n          firstName\n          lastName\n        }\n      }\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Goals {\n  goals {\n    goal {\n      id\n      name\n      deadline\n      target {\n        amount\n        currency\n      }\n    }\n    saved {\n      amount\n      currency\n    }\n    percentComplete\n    monthlyNeeded {\n      amount\n      currency\n    }\n  }\n}"): (typeof documents)["query Goals {\n  goals {\n    goal {\n      id\n      name\n      deadline\n      target {\n        amount\n        currency\n      }\n    }\n    saved {\n      amount\n      currency\n    }\n    percentComplete\n    monthlyNeeded {\n      amount\n      currency\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation JoinFamily($code: String!) {\n  joinFamily(code: $code) {\n    id\n    name\n  }\n}"): (typeof documents)["mutation JoinFamily($code: String!) {\n  joinFamily(code: $code) {\n    id\n    name\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation Logout {\n  logout\n}"): (typeof documents)["mutation Logout {\n  logout\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Me {\n  me {\n    id\n    firstName\n    email\n    telegramId\n    defaultFamily {\n      id\n      name\n      baseCurrency\n    }\n  }\n}"): (typeof documents)["query Me {\n  me {\n    id\n    firstName\n    email\n    telegramId\n    defaultFamily {\n      id\n      name\n      baseCurrency\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query PendingNotifications($limit: Int!) {\n  pendingNotifications(limit: $limit) {\n    id\n    kind\n    telegramId\n    payload\n  }\n}"): (typeof documents)["query PendingNotifications($limit: Int!) {\n  pendingNotifications(limit: $limit) {\n    id\n    kind\n    telegramId\n    payload\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation RecordScheduledOccurrence($scheduleId: ID!, $occursOn: LocalDate!, $amount: Decimal) {\n  recordScheduledOccurrence(\n    scheduleId: $scheduleId\n    occursOn: $occursOn\n    amount: $amount\n  ) {\n    id\n    occursOn\n    transaction {\n      id\n      kind\n      amount {\n        amount\n        currency\n      }\n      note\n      category {\n        name\n      }\n      account {\n        name\n        balance {\n          amount\n          currency\n        }\n      }\n    }\n  }\n}"): (typeof documents)["mutation RecordScheduledOccurrence($scheduleId: ID!, $occursOn: LocalDate!, $amount: Decimal) {\n  recordScheduledOccurrence(\n    scheduleId: $scheduleId\n    occursOn: $occursOn\n    amount: $amount\n  ) {\n    id\n    occursOn\n    transaction {\n      id\n      kind\n      amount {\n        amount\n        currency\n      }\n      note\n      category {\n        name\n      }\n      account {\n        name\n        balance {\n          amount\n          currency\n        }\n      }\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation RefreshToken($refreshToken: String!) {\n  refreshToken(refreshToken: $refreshToken) {\n    accessToken\n    refreshToken\n    expiresIn\n    user {\n      id\n      firstName\n      language\n    }\n  }\n}"): (typeof documents)["mutation RefreshToken($refreshToken: String!) {\n  refreshToken(refreshToken: $refreshToken) {\n    accessToken\n    refreshToken\n    expiresIn\n    user {\n      id\n      firstName\n      language\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Schedules($familyId: ID) {\n  schedules(familyId: $familyId) {\n    id\n    kind\n    mode\n    paused\n    nextOn\n    note\n    description\n    amount {\n      amount\n      currency\n    }\n    amountMax {\n      amount\n      currency\n    }\n    category {\n      name\n    }\n  }\n}"): (typeof documents)["query Schedules($familyId: ID) {\n  schedules(familyId: $familyId) {\n    id\n    kind\n    mode\n    paused\n    nextOn\n    note\n    description\n    amount {\n      amount\n      currency\n    }\n    amountMax {\n      amount\n      currency\n    }\n    category {\n      name\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation SetLanguage($language: String!) {\n  setLanguage(language: $language) {\n    id\n    language\n  }\n}"): (typeof documents)["mutation SetLanguage($language: String!) {\n  setLanguage(language: $language) {\n    id\n    language\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation SkipScheduledOccurrence($scheduleId: ID!, $occursOn: LocalDate!) {\n  skipScheduledOccurrence(scheduleId: $scheduleId, occursOn: $occursOn) {\n    id\n    occursOn\n  }\n}"): (typeof documents)["mutation SkipScheduledOccurrence($scheduleId: ID!, $occursOn: LocalDate!) {\n  skipScheduledOccurrence(scheduleId: $scheduleId, occursOn: $occursOn) {\n    id\n    occursOn\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query SpendingReport($from: LocalDate, $familyId: ID) {\n  spendingByCategory(from: $from, familyId: $familyId) {\n    period {\n      start\n      end\n    }\n    total {\n      amount\n      currency\n    }\n    categories {\n      category {\n        name\n      }\n      spent {\n        amount\n        currency\n      }\n      budget {\n        percentUsed\n      }\n    }\n    missingRates\n  }\n}"): (typeof documents)["query SpendingReport($from: LocalDate, $familyId: ID) {\n  spendingByCategory(from: $from, familyId: $familyId) {\n    period {\n      start\n      end\n    }\n    total {\n      amount\n      currency\n    }\n    categories {\n      category {\n        name\n      }\n      spent {\n        amount\n        currency\n      }\n      budget {\n        percentUsed\n      }\n    }\n    missingRates\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query TelegramGroup($chatId: ID!) {\n  telegramGroup(chatId: $chatId) {\n    chatId\n    title\n    familyId\n  }\n}"): (typeof documents)["query TelegramGroup($chatId: ID!) {\n  telegramGroup(chatId: $chatId) {\n    chatId\n    title\n    familyId\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation TelegramLogin($telegramId: ID!) {\n  telegramLogin(telegramId: $telegramId) {\n    accessToken\n    refreshToken\n    expiresIn\n    user {\n      id\n      firstName\n      language\n    }\n  }\n}"): (typeof documents)["mutation TelegramLogin($telegramId: ID!) {\n  telegramLogin(telegramId: $telegramId) {\n    accessToken\n    refreshToken\n    expiresIn\n    user {\n      id\n      firstName\n      language\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation TelegramRegister($input: TelegramRegisterInput!) {\n  telegramRegister(input: $input) {\n    accessToken\n    refreshToken\n    expiresIn\n    user {\n      id\n      firstName\n      language\n    }\n  }\n}"): (typeof documents)["mutation TelegramRegister($input: TelegramRegisterInput!) {\n  telegramRegister(input: $input) {\n    accessToken\n    refreshToken\n    expiresIn\n    user {\n      id\n      firstName\n      language\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation UpdateSchedule($id: ID!, $input: UpdateScheduleInput!) {\n  updateSchedule(id: $id, input: $input) {\n    id\n    paused\n    nextOn\n  }\n}"): (typeof documents)["mutation UpdateSchedule($id: ID!, $input: UpdateScheduleInput!) {\n  updateSchedule(id: $id, input: $input) {\n    id\n    paused\n    nextOn\n  }\n}"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;