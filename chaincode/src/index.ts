import { AnchorContract } from './contracts/anchor-contract';
import { ConfirmationContract } from './contracts/confirmation-contract';
import { CrossCheckContract } from './contracts/cross-check-contract';
import { MortgageContract } from './contracts/mortgage-contract';
import { PaymentBatchContract } from './contracts/payment-batch-contract';
import { ReceivableContract } from './contracts/receivable-contract';
import { RegistryContract } from './contracts/registry-contract';

export { AnchorContract } from './contracts/anchor-contract';
export { ConfirmationContract } from './contracts/confirmation-contract';
export { CrossCheckContract } from './contracts/cross-check-contract';
export { MortgageContract } from './contracts/mortgage-contract';
export { PaymentBatchContract } from './contracts/payment-batch-contract';
export { ReceivableContract } from './contracts/receivable-contract';
export { RegistryContract } from './contracts/registry-contract';

/** fabric-contract-api convention; the first contract (registry) is the default one. */
export const contracts = [RegistryContract, ConfirmationContract, MortgageContract, ReceivableContract, PaymentBatchContract, CrossCheckContract, AnchorContract];
