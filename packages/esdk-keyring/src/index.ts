// @sealflow/esdk-keyring public surface. Every export is named here; nothing else is API.
export { SealflowKeyringNode } from './sealflow-keyring.js';
export type { SealflowKeyringOptions } from './keyring-options.js';
