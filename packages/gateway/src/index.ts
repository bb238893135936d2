// @sealflow/gateway public surface. Every export is named here; nothing else is API.
export {};
