import { createAuthenticateContext, createPublishContext } from '@mqttkit/contracts/testing';
import { describe, expect, it } from 'vitest';
import { defineHook } from '@mqttkit/contracts';

// The README example, verbatim apart from the export.
const onlyAlice = defineHook({
  name: 'only-alice',
  authenticate: ({ client }) => (client.username === 'alice' ? 'allow' : 'defer'),
  authorizePublish: ({ topic }) =>
    topic.startsWith('alice/') ? 'allow' : { deny: 0x87, reason: 'alice/ topics only' },
});

describe('README example', () => {
  it('type-checks and decides as described', async () => {
    expect(await onlyAlice.authenticate(createAuthenticateContext({ username: 'alice' }))).toBe('allow');
    expect(await onlyAlice.authenticate(createAuthenticateContext({ username: 'bob' }))).toBe('defer');
    expect(onlyAlice.authorizePublish(createPublishContext({}, { topic: 'bob/x' }))).toEqual({
      deny: 0x87,
      reason: 'alice/ topics only',
    });
  });
});
