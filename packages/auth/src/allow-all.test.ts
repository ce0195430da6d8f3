import { runAuthProviderConformance } from '@mqttkit/contracts/testing';
import { describe, expect, it, vi } from 'vitest';
import { allowAll } from './allow-all.js';

runAuthProviderConformance({
  name: 'allowAll',
  create: () => allowAll({ logger: { warn() {} } }),
  validUser: { username: 'anyone', password: 'anything' },
  allowsAnonymous: true,
  checksPasswordExactly: false,
  allowedPublishes: [{ client: {}, request: { topic: 'a/b' } }],
  allowedSubscribes: [{ client: {}, request: '#' }],
  fuzzRuns: 20,
});

describe('allowAll', () => {
  it('warns once, when created', async () => {
    const warn = vi.fn();
    const hook = allowAll({ logger: { warn } });
    await hook.authenticate!({} as never);
    await hook.authorizePublish!({} as never);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]![0]).toMatch(/do not use in production/);
  });

  it('warns through console.warn by default', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    allowAll();
    expect(warn).toHaveBeenCalledTimes(1);
    warn.mockRestore();
  });
});
