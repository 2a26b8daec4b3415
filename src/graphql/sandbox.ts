/**
 * What Apollo Sandbox opens with on the landing page (development, or GRAPHQL_INTROSPECTION=true): the
 * first operations an integrator runs (docs/integrators.md), and the header their token goes in. A test
 * validates the document against the schema, so it cannot drift from it.
 */
export const SANDBOX_DOCUMENT = `# Family Finance: first operations (docs/integrators.md).
# Paste your personal access token into the Authorization header below, pick an operation, press Run.

query Accounts {
  accounts {
    id
    name
    type
    currency
    balance { amount currency }
  }
}

query Transactions($first: Int, $after: String) {
  transactions(first: $first, after: $after) {
    edges {
      node {
        id
        occurredOn
        kind
        amount { amount currency }
        note
        account { id name }
        category { id name }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}

query SpendingThisMonth {
  spendingByCategory {
    period { start end }
    total { amount currency }
    categories {
      category { name }
      spent { amount currency }
    }
  }
}

mutation CreateExpense($input: CreateTransactionInput!) {
  createTransaction(input: $input) {
    id
    amount { amount currency }
    account { name balance { amount currency } }
  }
}
`;

export const SANDBOX_INITIAL_STATE = {
  document: SANDBOX_DOCUMENT,
  variables: {
    first: 10,
    input: { kind: 'EXPENSE', amount: '4.20', accountId: 'an id from Accounts', note: 'Coffee' },
  },
  headers: { Authorization: 'Bearer ffpat_paste-your-token-here' },
};
