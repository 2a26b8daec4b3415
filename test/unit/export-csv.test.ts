import { describe, expect, it } from 'vitest';
import { neutralise } from '../../src/modules/export/export.csv.js';

describe('neutralise (X2, OWASP CSV injection)', () => {
  it('prefixes every cell a spreadsheet would read as a formula', () => {
    for (const cell of ['=1+1', '+1', '-1', '@SUM(A1)', '\tpay', '\rpay'])
      expect(neutralise(cell)).toBe(`'${cell}`);
  });

  it('leaves everything else, amounts included, as it is', () => {
    for (const cell of ['12.50', '0.01', 'Groceries', '', ' =1', "'quoted", '2026-11-30'])
      expect(neutralise(cell)).toBe(cell);
  });
});
