// The KeyStore conformance suite (@sealflow/core/keystore-kit) against XksKeyStore, over
// HTTP to a real XKS proxy on a local port.
import { describe, it } from 'vitest';
import { keyStoreConformanceCases } from '@sealflow/core/keystore-kit';
import { CONTEXT, xksPerTest } from './support/xks-setup.js';

const { rig, store } = xksPerTest();

describe('XksKeyStore conforms', () => {
  const makeStore = async (): Promise<ReturnType<typeof store>> => store((await rig()).url);
  for (const c of keyStoreConformanceCases({ makeStore, context: CONTEXT })) it(c.name, c.run);
});
