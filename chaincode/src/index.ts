import { RegistryContract } from './contracts/registry-contract';

export { RegistryContract } from './contracts/registry-contract';

/** fabric-contract-api convention; the first contract is the default one. */
export const contracts = [RegistryContract];
