/**
 * k6's `randomSeed(n)`: after it, Math.random gives the same sequence on every run. k6 gives
 * each VU its own runtime, so a call in init code seeds every VU (each VU draws its own sequence
 * from the seed, the same for all), and a call in VU code seeds that VU alone. Many VUs share
 * one thread here, so Math.random is replaced (on the first call only) by one that draws from the
 * current VU's generator, and from the thread's own outside VU code.
 */
import type { Vu } from '../types.ts';
import { current } from './context.ts';

type Draw = () => number;

/** A small seeded generator (a 32-bit counter through an integer mixing function). */
export function seededDraw(seed: number): Draw {
  let counter = Math.trunc(seed) >>> 0;
  return () => {
    counter = (counter + 0x9e3779b9) >>> 0;
    let z = counter;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    z = (z ^ (z >>> 16)) >>> 0;
    return z / 0x1_0000_0000;
  };
}

const unseeded = Math.random;
let initSeed: number | undefined;
let outside: Draw | undefined;
const perVu = new WeakMap<Vu, Draw>();

function seededRandom(): number {
  const vu = current()?.vu;
  if (!vu) return (outside ?? unseeded)();
  let draw = perVu.get(vu);
  if (!draw) {
    if (initSeed === undefined) return unseeded();
    draw = seededDraw(initSeed);
    perVu.set(vu, draw);
  }
  return draw();
}

export function randomSeed(seed: number): void {
  const n = Number(seed);
  if (!Number.isFinite(n)) throw new TypeError(`randomSeed(): expected an integer, got ${String(seed)}`);
  if (Math.random !== seededRandom) Math.random = seededRandom;
  const vu = current()?.vu;
  if (vu) perVu.set(vu, seededDraw(n));
  else {
    initSeed = n;
    outside = seededDraw(n);
  }
}
