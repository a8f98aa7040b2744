// A small QR code encoder for booking payloads (`MENTORING:BOOKING:BK-XXXXX-XXXXX`, 32 bytes):
// byte mode, error correction level L, versions 1 to 5, the versions whose codewords form a
// single Reed-Solomon block. Loaded only after a booking succeeds. The layout follows ISO/IEC
// 18004 as Project Nayuki's reference encoder draws it.

/** Data and error-correction codewords of versions 1–5 at level L. */
const capacities = [
  [19, 7],
  [34, 10],
  [55, 15],
  [80, 20],
  [108, 26],
] as const;

export interface QrCode {
  /** Modules per side, without the quiet zone. */
  size: number;
  /** Dark or light, row by row: module (x, y) is `dark[y * size + x]`. */
  dark: boolean[];
}

/** Encodes `text` (UTF-8) in the smallest version that holds it, with the mask of the lowest penalty. */
export function encodeQr(text: string): QrCode {
  const bytes = new TextEncoder().encode(text);
  const version = capacities.findIndex(([data]) => bytes.length <= data - 2) + 1;
  if (version === 0) throw new RangeError(`A QR code of version 1 to 5 holds at most 106 bytes, not ${bytes.length}.`);
  const [data, ecc] = capacities[version - 1]!;
  const codewords = dataCodewords(bytes, data);
  codewords.push(...reedSolomonRemainder(codewords, ecc));
  const size = 17 + 4 * version;
  const fixed = functionModules(size, version);
  const modules = placeCodewords(codewords, fixed, size);
  let best: boolean[] = [];
  let lowest = Infinity;
  masks.forEach((flips, mask) => {
    const dark = fixed.map((colour, i) => colour ?? modules[i] !== flips(i % size, Math.floor(i / size)));
    drawFormat(dark, size, mask);
    const score = penalty(dark, size);
    if (score < lowest) [best, lowest] = [dark, score];
  });
  return { size, dark: best };
}

/** An SVG path drawing the dark modules, one unit each, for a viewBox of `-4 -4 size+8 size+8` (the quiet zone). */
export function qrSvgPath({ size, dark }: QrCode): string {
  return dark.map((isDark, i) => (isDark ? `M${i % size} ${Math.floor(i / size)}h1v1h-1z` : '')).join('');
}

/** Mode, length, the bytes, terminator and padding: exactly `capacity` codewords. */
function dataCodewords(bytes: Uint8Array, capacity: number): number[] {
  const bits: number[] = [];
  const push = (value: number, length: number) => {
    for (let i = length - 1; i >= 0; i--) bits.push((value >>> i) & 1);
  };
  push(0b0100, 4);
  push(bytes.length, 8);
  bytes.forEach((byte) => push(byte, 8));
  push(0, Math.min(4, capacity * 8 - bits.length));
  push(0, (8 - (bits.length % 8)) % 8);
  const codewords: number[] = [];
  for (let i = 0; i < bits.length; i += 8) codewords.push(bits.slice(i, i + 8).reduce((byte, bit) => (byte << 1) | bit, 0));
  for (let pad = 0xec; codewords.length < capacity; pad ^= 0xec ^ 0x11) codewords.push(pad);
  return codewords;
}

/** Multiplication in GF(2^8) modulo x^8 + x^4 + x^3 + x^2 + 1. */
function multiply(x: number, y: number): number {
  let product = 0;
  for (let i = 7; i >= 0; i--) {
    product = (product << 1) ^ ((product >>> 7) * 0x11d);
    product ^= ((y >>> i) & 1) * x;
  }
  return product;
}

function reedSolomonRemainder(data: number[], degree: number): number[] {
  // The generator (x - α^0)(x - α^1)…(x - α^(degree-1)), leading coefficient dropped.
  const divisor = new Array<number>(degree).fill(0);
  divisor[degree - 1] = 1;
  let root = 1;
  for (let i = 0; i < degree; i++) {
    for (let j = 0; j < degree; j++) {
      divisor[j] = multiply(divisor[j]!, root) ^ (divisor[j + 1] ?? 0);
    }
    root = multiply(root, 0x02);
  }
  const remainder = new Array<number>(degree).fill(0);
  for (const byte of data) {
    const factor = byte ^ remainder.shift()!;
    remainder.push(0);
    divisor.forEach((coefficient, i) => (remainder[i] = remainder[i]! ^ multiply(coefficient, factor)));
  }
  return remainder;
}

/** Whether mask n flips the data module at (x, y). */
const masks: ((x: number, y: number) => boolean)[] = [
  (x, y) => (x + y) % 2 === 0,
  (_, y) => y % 2 === 0,
  (x) => x % 3 === 0,
  (x, y) => (x + y) % 3 === 0,
  (x, y) => (Math.floor(x / 3) + Math.floor(y / 2)) % 2 === 0,
  (x, y) => ((x * y) % 2) + ((x * y) % 3) === 0,
  (x, y) => (((x * y) % 2) + ((x * y) % 3)) % 2 === 0,
  (x, y) => (((x + y) % 2) + ((x * y) % 3)) % 2 === 0,
];

/**
 * The function patterns, by module: finders with their separators, timing, the alignment pattern
 * (versions 2–5 have one) and the format information (drawn for mask 0, to reserve it); undefined
 * where the data goes.
 */
function functionModules(size: number, version: number): (boolean | undefined)[] {
  const fixed = new Array<boolean | undefined>(size * size).fill(undefined);
  const set = (x: number, y: number, dark: boolean) => {
    if (x >= 0 && x < size && y >= 0 && y < size) fixed[y * size + x] = dark;
  };
  // The 9×9 finder (radius 4, with its separator) or the 5×5 alignment pattern (radius 2) around (x, y).
  const square = (x: number, y: number, radius: number, isDark: (distance: number) => boolean) => {
    for (let dy = -radius; dy <= radius; dy++) {
      for (let dx = -radius; dx <= radius; dx++) set(x + dx, y + dy, isDark(Math.max(Math.abs(dx), Math.abs(dy))));
    }
  };
  for (let i = 0; i < size; i++) {
    set(6, i, i % 2 === 0);
    set(i, 6, i % 2 === 0);
  }
  for (const [x, y] of [[3, 3], [size - 4, 3], [3, size - 4]] as const) square(x, y, 4, (distance) => distance !== 2 && distance !== 4);
  if (version > 1) square(size - 7, size - 7, 2, (distance) => distance !== 1);
  drawFormat(fixed, size, 0);
  return fixed;
}

/** The two copies of the format information (level L, the mask), and the dark module. */
function drawFormat(target: (boolean | undefined)[], size: number, mask: number): void {
  const data = (0b01 << 3) | mask;
  let remainder = data;
  for (let i = 0; i < 10; i++) remainder = (remainder << 1) ^ ((remainder >>> 9) * 0x537);
  const bits = ((data << 10) | remainder) ^ 0x5412;
  const put = (x: number, y: number, bit: number) => (target[y * size + x] = ((bits >>> bit) & 1) === 1);
  for (let i = 0; i <= 5; i++) put(8, i, i);
  put(8, 7, 6);
  put(8, 8, 7);
  put(7, 8, 8);
  for (let i = 9; i < 15; i++) put(14 - i, 8, i);
  for (let i = 0; i < 8; i++) put(size - 1 - i, 8, i);
  for (let i = 8; i < 15; i++) put(8, size - 15 + i, i);
  target[(size - 8) * size + 8] = true;
}

/** The data bits, in the zigzag order, two columns at a time from the right, around the function patterns. */
function placeCodewords(codewords: number[], fixed: (boolean | undefined)[], size: number): boolean[] {
  const modules = new Array<boolean>(size * size).fill(false);
  let i = 0;
  for (let right = size - 1; right >= 1; right -= 2) {
    if (right === 6) right = 5;
    for (let vertical = 0; vertical < size; vertical++) {
      for (let j = 0; j < 2; j++) {
        const x = right - j;
        const y = ((right + 1) & 2) === 0 ? size - 1 - vertical : vertical;
        if (fixed[y * size + x] === undefined && i < codewords.length * 8) {
          modules[y * size + x] = ((codewords[i >>> 3]! >>> (7 - (i & 7))) & 1) === 1;
          i++;
        }
      }
    }
  }
  return modules;
}

/** The standard's penalty: runs, 2×2 blocks, finder-like patterns and the balance of dark modules. */
function penalty(dark: boolean[], size: number): number {
  const at = (x: number, y: number) => dark[y * size + x];
  const rows = Array.from({ length: size }, (_, y) => dark.slice(y * size, (y + 1) * size));
  const columns = rows.map((_, x) => rows.map((row) => row[x]!));
  let score = 0;
  for (const line of [...rows, ...columns]) {
    let run = 1;
    for (let i = 1; i <= size; i++) {
      if (i < size && line[i] === line[i - 1]) {
        run++;
      } else {
        if (run >= 5) score += run - 2;
        run = 1;
      }
    }
    const text = line.map((isDark) => (isDark ? '1' : '0')).join('');
    score += 40 * (text.match(/(?=(10111010000|00001011101))/g)?.length ?? 0);
  }
  for (let y = 0; y < size - 1; y++) {
    for (let x = 0; x < size - 1; x++) {
      const colour = at(x, y);
      if (colour === at(x + 1, y) && colour === at(x, y + 1) && colour === at(x + 1, y + 1)) score += 3;
    }
  }
  const darkCount = dark.filter(Boolean).length;
  score += 10 * Math.floor(Math.abs(darkCount * 20 - size * size * 10) / (size * size));
  return score;
}
