import { BankTransferProvider, type BankTransferOptions } from './bank-transfer.js';
import type { PaymentProvider, PaymentProviders } from './provider.js';
import { TestPaymentProvider } from './test-provider.js';

export interface PaymentProviderOptions {
  /** Offers `bank_transfer` when set (MENTORING_BANK_TRANSFER_* in the environment). */
  bankTransfer?: BankTransferOptions | undefined;
}

/** The payment providers a server offers: always `test`, and those configured. */
export function defaultPaymentProviders({ bankTransfer }: PaymentProviderOptions = {}): PaymentProviders {
  const providers: PaymentProvider[] = [new TestPaymentProvider()];
  if (bankTransfer !== undefined) providers.push(new BankTransferProvider(bankTransfer));
  return new Map(providers.map((provider) => [provider.name, provider]));
}
