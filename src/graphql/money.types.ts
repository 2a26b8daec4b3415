import { GraphQLScalarType, Kind } from 'graphql';
import { Field, ObjectType } from 'type-graphql';
import { Amount, parseCurrency } from '../shared/money.js';

const DECIMAL_SHAPE = /^-?\d+(\.\d+)?$/;

/**
 * Exact decimal numbers as strings ("12.50"). Literals in a query may be written as numbers (their text
 * is used, never a float); JSON variables must be strings unless they are safe integers.
 */
export const DecimalScalar = new GraphQLScalarType<string, string>({
  name: 'Decimal',
  description:
    'An exact decimal number sent as a string, e.g. "12.50" or "-3". Never a float: amounts keep every digit.',
  serialize(value) {
    if (typeof value !== 'string') throw new TypeError('Decimal values are produced as strings');
    return value;
  },
  parseValue(value) {
    if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
    if (typeof value !== 'string' || !DECIMAL_SHAPE.test(value.trim()) || value.length > 40) {
      throw new TypeError('Decimal must be a string like "12.50".');
    }
    return value.trim();
  },
  parseLiteral(ast) {
    if (
      (ast.kind === Kind.STRING || ast.kind === Kind.INT || ast.kind === Kind.FLOAT) &&
      DECIMAL_SHAPE.test(ast.value)
    ) {
      return ast.value;
    }
    throw new TypeError('Decimal must be a string like "12.50".');
  },
});

/**
 * An ISO 4217 code, checked where codes are checked for money (`parseCurrency`: the currency-codes list,
 * which also knows each currency's decimals), so the schema and the services never disagree about which
 * currencies exist. Input is trimmed and upper-cased.
 */
export const CurrencyScalar = new GraphQLScalarType<string, string>({
  name: 'Currency',
  description: 'An ISO 4217 currency code, e.g. "EUR", "JPY" or "KWD".',
  serialize(value) {
    if (typeof value !== 'string') throw new TypeError('Currency codes are produced as strings');
    return value;
  },
  parseValue(value) {
    if (typeof value !== 'string') throw new TypeError('Currency must be an ISO 4217 code like "EUR".');
    return parseCode(value);
  },
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) throw new TypeError('Currency must be an ISO 4217 code like "EUR".');
    return parseCode(ast.value);
  },
});

function parseCode(value: string): string {
  try {
    return parseCurrency(value, 'currency');
  } catch {
    throw new TypeError(`"${value.slice(0, 16)}" is not an ISO 4217 currency code.`);
  }
}

@ObjectType({ description: 'An exact amount of money in one currency.' })
export class Money {
  @Field(() => DecimalScalar, {
    description: 'The amount as a decimal string with the currency\'s decimals, e.g. "12.50".',
  })
  amount!: string;

  @Field(() => CurrencyScalar, { description: 'ISO 4217 currency code, e.g. "EUR".' })
  currency!: string;
}

/** The GraphQL `Money` of minor units: an `Amount`, whose decimal text is made only when selected. */
export const money = (minor: bigint, currency: string): Money => new Amount(minor, currency);
