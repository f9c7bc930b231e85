import { rowsOf } from './sql';

describe('rowsOf', () => {
  it('reads TypeORM arrays, UPDATE ... RETURNING pairs and pg results', () => {
    expect(rowsOf([{ a: 1 }])).toEqual([{ a: 1 }]);
    expect(rowsOf([[{ a: 1 }], 1])).toEqual([{ a: 1 }]);
    expect(rowsOf({ rows: [{ a: 2 }] })).toEqual([{ a: 2 }]);
  });
});
