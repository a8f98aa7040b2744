import type { PaymentProvider, PaymentProviders } from './provider.js';

/** The payment providers a server offers. */
export function defaultPaymentProviders(): PaymentProviders {
  const providers: PaymentProvider[] = [];
  return new Map(providers.map((provider) => [provider.name, provider]));
}
