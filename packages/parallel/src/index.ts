// @sealflow/parallel public surface. Every export is named here; nothing else is API.
export { FramePool, createFramePool } from './frame-pool.js';
export type { FramePoolStats } from './frame-pool.js';
export type { FramePoolOptions, FramePoolMode, ResolvedPoolOptions } from './options.js';
