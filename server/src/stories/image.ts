/** The image types a story's photo may have: what every browser shows. */
export const photoTypes = ['image/jpeg', 'image/png', 'image/webp'] as const;
export type PhotoType = (typeof photoTypes)[number];

export interface ImageHeader {
  type: PhotoType;
  width: number;
  height: number;
}

/**
 * What the bytes are, by their magic numbers and header, never by the Content-Type a client sent:
 * the type and the pixel size the widgets reserve, or undefined when they are no JPEG, PNG or WebP
 * whose size can be read.
 */
export function readImageHeader(bytes: Uint8Array): ImageHeader | undefined {
  const size = (type: PhotoType, width: number, height: number) => (width > 0 && height > 0 ? { type, width, height } : undefined);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const ascii = (start: number, length: number) => String.fromCharCode(...bytes.subarray(start, start + length));
  if (bytes.length >= 24 && startsWith(bytes, pngSignature) && ascii(12, 4) === 'IHDR') {
    return size('image/png', view.getUint32(16), view.getUint32(20));
  }
  if (bytes.length >= 30 && ascii(0, 4) === 'RIFF' && ascii(8, 4) === 'WEBP') {
    const chunk = ascii(12, 4);
    if (chunk === 'VP8 ' && bytes[23] === 0x9d && bytes[24] === 0x01 && bytes[25] === 0x2a) {
      return size('image/webp', view.getUint16(26, true) & 0x3fff, view.getUint16(28, true) & 0x3fff);
    }
    if (chunk === 'VP8L' && bytes[20] === 0x2f) {
      const bits = view.getUint32(21, true);
      return size('image/webp', (bits & 0x3fff) + 1, ((bits >>> 14) & 0x3fff) + 1);
    }
    if (chunk === 'VP8X') {
      const width = bytes[24]! | (bytes[25]! << 8) | (bytes[26]! << 16);
      const height = bytes[27]! | (bytes[28]! << 8) | (bytes[29]! << 16);
      return size('image/webp', width + 1, height + 1);
    }
    return undefined;
  }
  if (bytes.length >= 4 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return jpegSize(bytes, view);
  return undefined;
}

const pngSignature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function startsWith(bytes: Uint8Array, signature: readonly number[]): boolean {
  return signature.every((byte, index) => bytes[index] === byte);
}

/** Walks a JPEG's segments to its frame header (SOFn), which holds the height and the width. */
function jpegSize(bytes: Uint8Array, view: DataView): ImageHeader | undefined {
  let at = 2;
  while (at + 9 <= bytes.length) {
    if (bytes[at] !== 0xff) return undefined;
    const marker = bytes[at + 1]!;
    if (marker === 0xff) {
      at += 1; // fill byte
      continue;
    }
    // SOF0–SOF15, except DHT (C4), JPG (C8) and DAC (CC), which share the range.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      const height = view.getUint16(at + 5);
      const width = view.getUint16(at + 7);
      return width > 0 && height > 0 ? { type: 'image/jpeg', width, height } : undefined;
    }
    at += 2 + view.getUint16(at + 2);
  }
  return undefined;
}
