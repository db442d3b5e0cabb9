export * from './json/canonical-json';
export * from './errors/ledger-error';
export * from './crypto/salted-hash';
export * from './domain/enum';
export * from './domain/identity';
export * from './domain/institution';
export * from './domain/page';
