/** Parameter for `= any(?)` over uuid columns, as PostgreSQL array text: {a,b}. */
export const uuidArray = (ids: readonly string[]): string => `{${ids.join(',')}}`;
