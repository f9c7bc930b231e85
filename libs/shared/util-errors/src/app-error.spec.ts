import { AppError, ErrorCode, InvalidArgumentError, UnavailableError, describeIssues } from './app-error';

describe(AppError.name, () => {
  it('maps codes to HTTP statuses and retryability', () => {
    expect(new InvalidArgumentError('bad').httpStatus).toBe(400);
    expect(new InvalidArgumentError('bad').retryable).toBe(false);
    expect(new UnavailableError('db down').httpStatus).toBe(503);
    expect(new UnavailableError('db down').retryable).toBe(true);
    expect(new AppError(ErrorCode.CONFLICT, 'x').httpStatus).toBe(409);
    expect(new InvalidArgumentError('bad').name).toBe('InvalidArgumentError');
  });
  it('describes zod-like issues with their paths', () => {
    expect(describeIssues([{ path: ['inputs', 0, 'shape'], message: 'Required' }, { path: [], message: 'x' }])).toEqual([
      'inputs.0.shape: Required',
      '(root): x',
    ]);
  });
});
