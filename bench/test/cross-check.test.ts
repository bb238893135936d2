import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contestants, createFixture, type Contestant, type Fixture } from '../src/contestants.js';
import { CrossCheckError, crossCheck } from '../src/cross-check.js';

const FL = 4096;
const plaintext = Uint8Array.from({ length: 3 * FL + 100 }, (_, i) => (i * 13) & 0xff);
let fixture: Fixture;
let all: Contestant[];
beforeAll(async () => {
  fixture = await createFixture();
  all = await contestants(fixture, FL);
});
afterAll(async () => {
  await fixture.close();
});

const byName = (name: string): Contestant => {
  const found = all.find((c) => c.name === name);
  if (found === undefined) throw new Error(`no contestant ${name}`);
  return found;
};

async function failuresOf(list: readonly Contestant[]): Promise<CrossCheckError> {
  try {
    await crossCheck('test workload', list, plaintext);
  } catch (error) {
    if (error instanceof CrossCheckError) return error;
    throw error;
  }
  throw new Error('the cross-check passed');
}

describe('the bench cross-check', () => {
  it('passes the real contestants: every pair decrypts, and raw and every sealflow variant write identical bytes', async () => {
    const record = await crossCheck('real', all, plaintext);
    expect(record.identicalToSealflow).toStrictEqual([
      'raw-node',
      'sealflow',
      'sealflow-noble',
      'sealflow-workers-1',
      'sealflow-workers-2',
      'sealflow-subtle',
    ]);
    // 7 producers x 7 consumers, less raw opening client-node's message.
    expect(record.pairs).toBe(48);
  });

  it('catches a contestant whose ciphertext is wrong by one bit, naming it and every consumer that refused it', async () => {
    const honest = byName('sealflow');
    const broken: Contestant = {
      ...honest,
      name: 'sealflow-broken',
      encryptFixed: async (p) => {
        const bytes = (await honest.encryptFixed(p)).slice();
        bytes[bytes.length - 40] = (bytes[bytes.length - 40] as number) ^ 1;
        return bytes;
      },
    };
    const error = await failuresOf([byName('raw-node'), honest, broken, byName('client-node')]);
    const blamed = error.failures.filter((f) => f.producer === 'sealflow-broken');
    expect(blamed.map((f) => f.consumer ?? 'identity')).toStrictEqual([
      'identity',
      'raw-node',
      'sealflow',
      'sealflow-broken',
      'client-node',
    ]);
    expect(error.failures.every((f) => f.producer === 'sealflow-broken')).toBe(true);
    expect(error.message).toMatch(/sealflow-broken -> client-node: decrypt failed/);
  });

  it('catches a contestant whose decrypt returns other bytes without failing', async () => {
    const lying: Contestant = {
      ...byName('client-node'),
      name: 'client-node-lying',
      decrypt: async (c) => (await byName('client-node').decrypt(c)).subarray(1),
    };
    const error = await failuresOf([byName('sealflow'), lying]);
    expect(error.failures.map((f) => `${f.producer} -> ${f.consumer ?? ''}`)).toStrictEqual([
      'sealflow -> client-node-lying',
      'client-node-lying -> client-node-lying',
    ]);
    expect(error.failures[0]?.reason).toMatch(/differ from the/);
  });

  it('catches a sealflow variant that writes valid but different bytes under the fixed materials', async () => {
    const fresh: Contestant = {
      ...byName('sealflow-workers-2'),
      name: 'sealflow-fresh-key',
      encryptFixed: (p) => byName('sealflow').encrypt(p),
    };
    const error = await failuresOf([byName('sealflow'), fresh]);
    expect(error.failures).toStrictEqual([
      {
        producer: 'sealflow-fresh-key',
        consumer: undefined,
        reason: "bytes differ from sealflow's under the same message ID and data key",
      },
    ]);
  });
});
