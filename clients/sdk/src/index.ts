export * from './network-descriptor';
export * from './connection';
export * from './ledger-call-error';
export * from './submit';
export * from './blocks';
export * from './registry-client';
export * from './institution-keys';
export * from './demo-institutions';
