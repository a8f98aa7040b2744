// A small QR code encoder for booking payloads (`MENTORING:BOOKING:BK-XXXXX-XXXXX`, 32 bytes):
// byte mode, error correction level L, versions 1 to 5, the versions whose codewords form a
// single Reed-Solomon block. Loaded only after a booking succeeds. The layout follows ISO/IEC
// 18004 as Project Nayuki's reference encoder draws it.

/** Data and error-correction codewords of versions 1–5 at level L. */
const capacities = [
  { data: 19, ecc: 7 },
  { data: 34, ecc: 10 },
  { data: 55, ecc: 15 },
  { data: 80, ecc: 20 },
  { data: 108, ecc: 26 },
];

export interface QrCode {
  /** Modules per side, without the quiet zone. */
  size: number;
  /** `dark[y][x]` */
  dark: boolean[][];
}

/** Encodes `text` (UTF-8) in the smallest version that holds it. */
export function encodeQr(text: string): QrCode {
  const bytes = new TextEncoder().encode(text);
  const version = capacities.findIndex((capacity) => bytes.length <= capacity.data - 2) + 1;
  if (version === 0) throw new RangeError(`A QR code of version 1 to 5 holds at most 106 bytes, not ${bytes.length}.`);
  const { data, ecc } = capacities[version - 1]!;
  const codewords = [...dataCodewords(bytes, data)];
  codewords.push(...reedSolomonRemainder(codewords, ecc));
  const matrix = new Matrix(version);
  matrix.placeCodewords(codewords);
  let best: boolean[][] = [];
  let lowest = Infinity;
  for (let mask = 0; mask < 8; mask++) {
    const candidate = matrix.masked(mask);
    const score = penalty(candidate);
    if (score < lowest) [best, lowest] = [candidate, score];
  }
  return { size: matrix.size, dark: best };
}

/** An SVG path drawing the dark modules, one unit each, for a viewBox of `-4 -4 size+8 size+8` (the quiet zone). */
export function qrSvgPath(code: QrCode): string {
  let path = '';
  code.dark.forEach((row, y) =>
    row.forEach((dark, x) => {
      if (dark) path += `M${x} ${y}h1v1h-1z`;
    }),
  );
  return path;
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

class Matrix {
  readonly size: number;
  readonly modules: boolean[][];
  readonly isFunction: boolean[][];

  constructor(version: number) {
    this.size = 17 + 4 * version;
    this.modules = Array.from({ length: this.size }, () => new Array<boolean>(this.size).fill(false));
    this.isFunction = Array.from({ length: this.size }, () => new Array<boolean>(this.size).fill(false));
    for (let i = 0; i < this.size; i++) {
      this.set(6, i, i % 2 === 0);
      this.set(i, 6, i % 2 === 0);
    }
    for (const [x, y] of [[3, 3], [this.size - 4, 3], [3, this.size - 4]] as const) {
      this.square(x, y, 4, (distance) => distance !== 2 && distance !== 4);
    }
    if (version > 1) this.square(this.size - 7, this.size - 7, 2, (distance) => distance !== 1);
    this.drawFormat(this.modules, 0);
  }

  /** The 9×9 finder (radius 4, with its separator) or the 5×5 alignment pattern (radius 2) around (x, y). */
  square(x: number, y: number, radius: number, isDark: (distance: number) => boolean): void {
    for (let dy = -radius; dy <= radius; dy++) {
      for (let dx = -radius; dx <= radius; dx++) {
        const [column, row] = [x + dx, y + dy];
        if (column >= 0 && column < this.size && row >= 0 && row < this.size) {
          this.set(column, row, isDark(Math.max(Math.abs(dx), Math.abs(dy))));
        }
      }
    }
  }

  set(x: number, y: number, dark: boolean): void {
    this.modules[y]![x] = dark;
    this.isFunction[y]![x] = true;
  }

  /** The two copies of the format information (level L, the mask), and the dark module. */
  drawFormat(target: boolean[][], mask: number): void {
    const data = (0b01 << 3) | mask;
    let remainder = data;
    for (let i = 0; i < 10; i++) remainder = (remainder << 1) ^ ((remainder >>> 9) * 0x537);
    const bits = ((data << 10) | remainder) ^ 0x5412;
    const bit = (i: number) => ((bits >>> i) & 1) === 1;
    const put = (x: number, y: number, dark: boolean) => {
      target[y]![x] = dark;
      if (target === this.modules) this.isFunction[y]![x] = true;
    };
    for (let i = 0; i <= 5; i++) put(8, i, bit(i));
    put(8, 7, bit(6));
    put(8, 8, bit(7));
    put(7, 8, bit(8));
    for (let i = 9; i < 15; i++) put(14 - i, 8, bit(i));
    for (let i = 0; i < 8; i++) put(this.size - 1 - i, 8, bit(i));
    for (let i = 8; i < 15; i++) put(8, this.size - 15 + i, bit(i));
    put(8, this.size - 8, true);
  }

  /** Fills the data modules in the zigzag order, two columns at a time from the right. */
  placeCodewords(codewords: number[]): void {
    let i = 0;
    for (let right = this.size - 1; right >= 1; right -= 2) {
      if (right === 6) right = 5;
      for (let vertical = 0; vertical < this.size; vertical++) {
        for (let j = 0; j < 2; j++) {
          const x = right - j;
          const y = ((right + 1) & 2) === 0 ? this.size - 1 - vertical : vertical;
          if (!this.isFunction[y]![x] && i < codewords.length * 8) {
            this.modules[y]![x] = ((codewords[i >>> 3]! >>> (7 - (i & 7))) & 1) === 1;
            i++;
          }
        }
      }
    }
  }

  /** A copy with `mask` applied to the data modules and its format information drawn. */
  masked(mask: number): boolean[][] {
    const result = this.modules.map((row, y) => row.map((dark, x) => dark !== (!this.isFunction[y]![x] && masks[mask]!(x, y))));
    this.drawFormat(result, mask);
    return result;
  }
}

/** The standard's penalty: runs, 2×2 blocks, finder-like patterns and the balance of dark modules. */
function penalty(modules: boolean[][]): number {
  const size = modules.length;
  const lines = [...modules, ...modules.map((_, x) => modules.map((row) => row[x]!))];
  let score = 0;
  for (const line of lines) {
    let run = 1;
    for (let i = 1; i <= size; i++) {
      if (i < size && line[i] === line[i - 1]) {
        run++;
      } else {
        if (run >= 5) score += run - 2;
        run = 1;
      }
    }
    const text = line.map((dark) => (dark ? '1' : '0')).join('');
    score += 40 * (text.match(/(?=(10111010000|00001011101))/g)?.length ?? 0);
  }
  for (let y = 0; y < size - 1; y++) {
    for (let x = 0; x < size - 1; x++) {
      const colour = modules[y]![x];
      if (colour === modules[y]![x + 1] && colour === modules[y + 1]![x] && colour === modules[y + 1]![x + 1]) score += 3;
    }
  }
  const dark = modules.flat().filter(Boolean).length;
  score += 10 * Math.floor(Math.abs(dark * 20 - size * size * 10) / (size * size));
  return score;
}
