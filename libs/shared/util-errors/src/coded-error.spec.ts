import { CodedError } from './coded-error';

class StoreError extends CodedError<'STORE_IO' | 'STORE_BAD_KEY'> {}
class BadKeyError extends StoreError {
  constructor(key: string) {
    super('STORE_BAD_KEY', `bad key '${key}'`, { details: { key } });
  }
}

describe('CodedError', () => {
  it('names the concrete class and defaults retryable to false and details to {}', () => {
    const e = new StoreError('STORE_IO', 'disk gone');
    expect(e).toBeInstanceOf(Error);
    expect(e).toMatchObject({ name: 'StoreError', code: 'STORE_IO', message: 'disk gone', retryable: false, details: {} });
    expect(e.cause).toBeUndefined();
  });

  it('keeps code, details, cause and retryable of a subclass', () => {
    const cause = new Error('EIO');
    const e = new StoreError('STORE_IO', 'read failed', { retryable: true, details: { key: 'a' }, cause });
    expect(e).toMatchObject({ retryable: true, details: { key: 'a' } });
    expect(e.cause).toBe(cause);
    const bad = new BadKeyError('../x');
    expect(bad).toBeInstanceOf(StoreError);
    expect(bad).toMatchObject({ name: 'BadKeyError', code: 'STORE_BAD_KEY', message: "bad key '../x'", details: { key: '../x' }, retryable: false });
  });
});
