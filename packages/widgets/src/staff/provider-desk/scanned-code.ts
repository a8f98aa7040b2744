// What a box office scans or types: a voucher card's code (its QR code holds the code alone, never
// the PIN) or a booking, as its QR code at the door says it (MENTORING:BOOKING:BK-XXXXX-XXXXX) or
// as the reference is read out. The API reads a booking reference the same way (readBookingReference in server/src/ids.ts).
import { readVoucherCode, type CodeProblem } from '../../components/redeem-voucher/voucher-code.js';

export type Scanned = { booking: string } | { code: string } | { problem: CodeProblem };

const bookingPayload = 'MENTORING:BOOKING:';

export function readScanned(input: string): Scanned {
  const text = input.trim().toUpperCase();
  const compact = (text.startsWith(bookingPayload) ? text.slice(bookingPayload.length) : text).replace(/\W|_/g, '');
  if (/^BK[0-9A-Z]{10}$/.test(compact)) {
    // Crockford base32, as the reference was made: I and L read as 1, O as 0.
    const body = compact.slice(2).replace(/[IL]/g, '1').replace(/O/g, '0');
    return { booking: `BK-${body.slice(0, 5)}-${body.slice(5)}` };
  }
  return readVoucherCode(input);
}
