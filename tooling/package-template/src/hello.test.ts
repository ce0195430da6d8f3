import { describe, expect, it } from 'vitest';
import { hello } from './hello.js';

describe('hello', () => {
  it('says hello', () => {
    expect(hello()).toBe('hello');
  });
});
