// A small seeded PRNG for the conversation factory: sfc32 (Chris Doty-Humphrey's Small Fast Counting generator,
// 128 bits of state, passes PractRand to 2^42 bytes). Faker's Mersenne Twister initialises 624 words on every
// seed() call, which cost more than the rest of a body; sfc32 seeds from the four words the factory already has.

/** Draws of one seeded stream: the same seed words always give the same sequence, on any Node. */
export interface SeededRandom {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [min, max], both included. */
  int(min: number, max: number): number;
  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T;
  /** `length` decimal digits, leading zeros included. */
  digits(length: number): string;
}

// sfc32's authors discard the first outputs so that seeds differing in a few bits do not start alike.
const WARM_UP = 12;

/** A stream seeded with four 32-bit words. */
export function seededRandom(a0: number, b0: number, c0: number, d0: number): SeededRandom {
  let a = a0 | 0;
  let b = b0 | 0;
  let c = c0 | 0;
  let d = d0 | 0;
  const word = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  for (let i = 0; i < WARM_UP; i++) word();
  const next = () => word() / 4_294_967_296;
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  return {
    next,
    int,
    pick: <T>(items: readonly T[]): T => items[int(0, items.length - 1)] as T,
    digits(length) {
      let out = "";
      // Nine digits per draw: 10^9 values fit in one 32-bit word.
      while (out.length < length) out += String(int(0, 999_999_999)).padStart(9, "0");
      return out.slice(0, length);
    },
  };
}
