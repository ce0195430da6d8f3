import { describe, expect, it } from 'vitest';
import type { Hook } from './hook.js';
import { defineHook, drop } from './hook.js';

describe('defineHook', () => {
  it('returns the same object, still assignable to Hook', async () => {
    const hook = { name: 'test', authorizePublish: () => 'allow' as const, onPublish: () => drop };
    const defined: Hook = defineHook(hook);
    expect(defined).toBe(hook);
    expect(hook.onPublish()).toBe('drop');
  });
});
