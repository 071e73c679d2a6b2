import { describe, expect, it } from 'vitest';
import { Agent as UndiciAgent } from 'undici';
import { Agent } from '../prep/prewarm/agent.js';

describe('prewarm agent', () => {
  it('is undici’s own Agent class, loaded without the rest of undici', () => {
    expect(Agent).toBe(UndiciAgent);
    const a = new Agent({ connections: 1 });
    expect(typeof a.dispatch).toBe('function');
    return a.close();
  });
});
