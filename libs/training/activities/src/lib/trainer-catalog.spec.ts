import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { liveCommandTrainers, parseCommandTrainers } from './trainer-catalog';

describe(parseCommandTrainers.name, () => {
  it('takes argv arrays and {command, cwd, env} objects', () => {
    expect(parseCommandTrainers('{"sk": ["python3", "train.py"], "xgb": {"command": ["bin/xgb"], "cwd": "/opt", "env": {"A": "1"}}}')).toEqual({
      sk: { command: ['python3', 'train.py'] },
      xgb: { command: ['bin/xgb'], cwd: '/opt', env: { A: '1' } },
    });
  });

  it('names the bad entry', () => {
    expect(() => parseCommandTrainers('{"Bad Name": ["x"]}')).toThrow("entry 'Bad Name' must be a name");
    expect(() => parseCommandTrainers('{"ok": []}')).toThrow("entry 'ok' must be a name");
    expect(() => parseCommandTrainers('{"ok": {"command": ["x"], "env": {"A": 1}}}')).toThrow("entry 'ok' must be a name");
    expect(() => parseCommandTrainers('[]')).toThrow('must be a JSON object');
  });
});

describe(liveCommandTrainers.name, () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'strata-trainers-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('registers, changes and unregisters trainers from the file without a restart; a bad or group-writable file is refused', () => {
    const file = path.join(dir, 'trainers.json');
    const errors: string[] = [];
    const trainers = liveCommandTrainers({ staticTrainers: { env: { command: ['env-trainer'] } }, file, checkIntervalMs: 0, onError: (m) => errors.push(m) });
    expect(Object.keys(trainers)).toEqual(['env']);
    expect(trainers['sk']).toBeUndefined();

    writeFileSync(file, JSON.stringify({ sk: ['python3', 'sk.py'], env: ['not-the-env-one'] }), { mode: 0o600 });
    chmodSync(file, 0o600);
    expect(trainers['sk']).toEqual({ command: ['python3', 'sk.py'] });
    expect(trainers['env']).toEqual({ command: ['env-trainer'] }); // the environment wins
    expect('sk' in trainers).toBe(true);
    expect(Object.keys(trainers).sort()).toEqual(['env', 'sk']);

    writeFileSync(file, '{"sk": ["python3", "sk.py"], "lgbm": ["lgbm-train"]}');
    expect(Object.keys(trainers).sort()).toEqual(['env', 'lgbm', 'sk']);

    writeFileSync(file, '{"sk": [');
    expect(Object.keys(trainers).sort()).toEqual(['env', 'lgbm', 'sk']); // last good trainers kept
    expect(errors.at(-1)).toMatch(/^Trainers file .*trainers\.json: .*JSON.*; keeping sk, lgbm file trainers$/);

    writeFileSync(file, '{"other": ["x"]}');
    chmodSync(file, 0o666);
    expect(trainers['other']).toBeUndefined();
    expect(errors.at(-1)).toMatch(/is writable by group or others \(mode 666\): refused/);

    chmodSync(file, 0o600);
    expect(Object.keys(trainers).sort()).toEqual(['env', 'other']);
    rmSync(file);
    expect(Object.keys(trainers)).toEqual(['env']);
  });
});
